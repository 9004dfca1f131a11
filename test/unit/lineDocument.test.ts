import assert from "node:assert/strict";
import fc from "fast-check";
import * as iconv from "iconv-lite";
import { LineDocument } from "../../provider/formats/lineDocument";

// Characters that matter in E-Post files: ASCII separators, kana, kanji whose CP932 trail byte is
// "\" or "|", NEC special characters and IBM extensions.
const CP932_CHARS = [..."abcXYZ019 ,|\t*@.#/-_", ..."ソ表－能予①②Ⅰ㈱髙﨑ｱｲｳ社内メール"];
const EOLS = ["\r\n", "\n", "\r"];

const cp932Text = fc
  .array(fc.constantFrom(...CP932_CHARS), { maxLength: 30 })
  .map((cs) => cs.join(""));

const cp932File = fc
  .tuple(
    fc.array(fc.tuple(cp932Text, fc.constantFrom(...EOLS)), { maxLength: 20 }),
    fc.option(cp932Text, { nil: undefined }),
  )
  .map(([lines, tail]) => {
    const parts: Buffer[] = lines.map(([t, e]) =>
      Buffer.concat([iconv.encode(t, "cp932"), Buffer.from(e)]),
    );
    if (tail !== undefined) parts.push(iconv.encode(tail, "cp932"));
    return Buffer.concat(parts);
  });

describe("LineDocument", function () {
  it("writes back any CP932 file byte for byte when nothing is edited", function () {
    fc.assert(
      fc.property(cp932File, (bytes) => {
        assert.deepEqual(LineDocument.parse(bytes, "cp932").toBuffer(), bytes);
      }),
      { numRuns: 500 },
    );
  });

  it("writes back arbitrary bytes, including invalid CP932 and UTF-8 lines, unchanged", function () {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (arr) => {
        const bytes = Buffer.from(arr);
        assert.deepEqual(LineDocument.parse(bytes, "cp932").toBuffer(), bytes);
      }),
      { numRuns: 500 },
    );
  });

  it("restores the exact bytes when an inserted line is removed again", function () {
    fc.assert(
      fc.property(cp932File, fc.nat(), (bytes, pos) => {
        const doc = LineDocument.parse(bytes, "cp932");
        const at = pos % (doc.length + 1);
        doc.insert(at, "vip1@example.jp\tvip1@intra.example.jp");
        assert.equal(doc.line(at).text, "vip1@example.jp\tvip1@intra.example.jp");
        doc.remove(at);
        assert.deepEqual(doc.toBuffer(), bytes);
      }),
      { numRuns: 500 },
    );
  });

  it("changes only the edited line's bytes", function () {
    fc.assert(
      fc.property(cp932File, fc.nat(), (bytes, pos) => {
        const doc = LineDocument.parse(bytes, "cp932");
        fc.pre(doc.length > 0);
        const at = pos % doc.length;
        const before = doc.all().map((l) => Buffer.concat([l.bytes, Buffer.from(l.eol)]));
        doc.replace(at, "192.0.2.1 true");
        const after = LineDocument.parse(doc.toBuffer(), "cp932").all();
        assert.equal(after.length, before.length);
        after.forEach((l, i) => {
          if (i === at) assert.equal(l.text, "192.0.2.1 true");
          else assert.deepEqual(Buffer.concat([l.bytes, Buffer.from(l.eol)]), before[i]);
        });
      }),
      { numRuns: 300 },
    );
  });

  it("keeps a missing final newline missing after appending", function () {
    const doc = LineDocument.parse(Buffer.from("a true\r\nb false"), "cp932");
    doc.insert(doc.length, "c default");
    assert.equal(doc.toBuffer().toString("latin1"), "a true\r\nb false\r\nc default");
  });

  it("uses the file's own line ending for new lines", function () {
    const doc = LineDocument.parse(Buffer.from("a\nb\n"), "cp932");
    doc.insert(1, "x");
    assert.equal(doc.toBuffer().toString("latin1"), "a\nx\nb\n");
  });

  it("starts an empty file with CRLF, as Windows tools write", function () {
    const doc = LineDocument.parse(Buffer.alloc(0), "cp932");
    doc.insert(0, "x");
    assert.equal(doc.toBuffer().toString("latin1"), "x\r\n");
  });

  it("keeps a UTF-8 byte-order mark in front of the first line", function () {
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    const doc = LineDocument.parse(Buffer.concat([bom, Buffer.from("a\r\n")]), "utf8");
    assert.equal(doc.line(0).text, "a");
    doc.insert(0, "first");
    assert.deepEqual(doc.toBuffer(), Buffer.concat([bom, Buffer.from("first\r\na\r\n")]));
  });

  it("decodes CP932 lines whose trail bytes look like \\ and |", function () {
    const bytes = iconv.encode("ソ表－①\r\n", "cp932");
    assert.ok(bytes.includes(0x5c) && bytes.includes(0x7c));
    assert.equal(LineDocument.parse(bytes, "cp932").line(0).text, "ソ表－①");
  });

  it("refuses to write a line its encoding cannot hold", function () {
    const doc = LineDocument.parse(Buffer.alloc(0), "cp932");
    assert.throws(
      () => doc.insert(0, "emoji 😀"),
      /cannot be written in the file's encoding cp932/,
    );
    assert.throws(() => doc.insert(0, "a\r\nb"), /must not contain CR or LF/);
  });
});
