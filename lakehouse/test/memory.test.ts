import { MemoryObjectStore } from "@evodb/core";
import { defineLakehouseSuite } from "./suite/index";

defineLakehouseSuite("memory", () => new MemoryObjectStore(), { committers: 8, commitsPerCommitter: 50, timeTravelSteps: 300 });
