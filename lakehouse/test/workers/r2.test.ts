import { env } from "cloudflare:workers";
import { defineLakehouseSuite } from "../suite/index";

// The R2 binding is passed as the ObjectStore with no wrapper (DESIGN.md, "ObjectStore").
defineLakehouseSuite("r2", () => env.BUCKET, { committers: 8, commitsPerCommitter: 50, timeTravelSteps: 100 });
