import { crc32c } from "@evodb/core";
import { describe, expect, it } from "vitest";
import { buildIndex, decodeHeader } from "../src/index";

// Golden bytes written from docs/snippets-lance.md by hand (values chosen so SQ8 steps are exact),
// so a change of the layout fails here even if writer and reader change together.
describe("snippets-lance format v1 golden bytes", () => {
  const vectors = new Float32Array([0, 0, 255, 510, 100, 20]);
  const built = buildIndex(vectors, { dim: 2, partitions: 1, quantiser: "sq8" });

  it("data object: u32 row ids, then SQ8 codes, padded to 8", () => {
    expect(Array.from(built.data)).toEqual([
      0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, // row ids 0, 1, 2
      0, 0, 255, 255, 100, 10, // codes: min [0, 0], step [1, 2]
      0, 0, 0, 0, 0, 0, // padding to 24
    ]);
    expect(built.dataKey).toBe(`data-${crc32c(built.data).toString(16).padStart(8, "0")}`);
  });

  it("header: fixed fields, key, SQ8 parameters, centroid, directory, CRC", () => {
    const expected = new Uint8Array(40 + 16 + 8 + 8 + 8 + 8 + 4);
    const view = new DataView(expected.buffer);
    expected.set([0x45, 0x53, 0x4c, 0x01, 1, 0, 0, 0, 1, 4, 13, 0], 0);
    view.setUint32(12, 2, true);
    view.setUint32(16, 1, true);
    view.setFloat64(20, 3, true);
    view.setFloat64(28, 24, true);
    expected.set(new TextEncoder().encode(built.dataKey), 40);
    [0, 0, 1, 2, 355 / 3, 530 / 3].forEach((v, i) => view.setFloat32(56 + 4 * i, v, true));
    view.setUint32(80, 3, true);
    view.setUint32(84, crc32c(built.data, 0, 18), true);
    view.setUint32(88, crc32c(expected, 0, 88), true);
    expect(Array.from(built.header)).toEqual(Array.from(expected));
    expect(decodeHeader(expected).partitionOffsets).toEqual(new Float64Array([0, 24]));
  });
});

// Quantiser 2 codes residuals from the partition centroid. With one partition the centroid is the
// mean (255, 510) of the rows below, so the residuals (-255, -510), (255, 510), (0, 0) give min
// (-255, -510), step (2, 4) and codes (0, 0), (255, 255), (round(127.5), round(127.5)) = (128, 128).
describe("snippets-lance format v1 golden bytes, quantiser 2 (SQ8 of residuals)", () => {
  const built = buildIndex(new Float32Array([0, 0, 510, 1020, 255, 510]), { dim: 2, partitions: 1 });

  it("data object: u32 row ids, then residual codes, padded to 8", () => {
    expect(Array.from(built.data)).toEqual([0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 255, 255, 128, 128, 0, 0, 0, 0, 0, 0]);
  });

  it("header: quantiser byte 2, residual min and step, the centroid", () => {
    const view = new DataView(built.header.buffer, built.header.byteOffset, built.header.byteLength);
    expect(built.header[8]).toBe(2);
    expect([0, 1, 2, 3, 4, 5].map((i) => view.getFloat32(56 + 4 * i, true))).toEqual([-255, -510, 2, 4, 255, 510]);
    const header = decodeHeader(built.header);
    expect(header.quantiser).toBe("sq8-residual");
    expect(Array.from(header.sqMin)).toEqual([-255, -510]);
  });

  it("a header with an unknown quantiser byte is refused", () => {
    const bytes = built.header.slice();
    bytes[8] = 3;
    const view = new DataView(bytes.buffer);
    view.setUint32(bytes.length - 4, crc32c(bytes, 0, bytes.length - 4), true);
    expect(() => decodeHeader(bytes)).toThrow(expect.objectContaining({ code: "CORRUPT_BLOCK" }));
  });
});
