import * as iconv from "iconv-lite";
import { EPostError } from "../errors";

/** A line ending as it appears in the file; "" only on a last line without a final newline. */
export type Eol = "\r\n" | "\n" | "\r" | "";

/** One line of a text file, kept as the original bytes so untouched lines survive exactly. */
export interface Line {
  /** The line's bytes without its ending. */
  readonly bytes: Buffer;
  /** The line's ending. */
  readonly eol: Eol;
  /** The bytes decoded with the file's encoding, for parsing only; never written back. */
  readonly text: string;
}

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** True when iconv-lite knows the encoding name (`cp932`, `shift_jis`, `utf8`, ...). */
export function encodingExists(name: string): boolean {
  return iconv.encodingExists(name);
}

/**
 * A text file as a list of lines that can be edited without disturbing any byte it was not asked
 * to change.
 *
 * Lines are found at the byte level, which is safe for CP932 because CR and LF never occur as a
 * trail byte. Each line is decoded on its own for parsing, but only lines this document inserts
 * or replaces are ever encoded: a UTF-8 line inside a CP932 file, a stray byte or an NEC special
 * character elsewhere in the file is written back as it was read.
 */
export class LineDocument {
  readonly encoding: string;
  private lines: Line[];
  /** A UTF-8 byte-order mark that opened the file; kept in front of whatever line comes first. */
  private readonly bom: Buffer;
  /** The ending used for new lines: the file's first ending, or CRLF as Windows tools write. */
  readonly newlineStyle: Exclude<Eol, "">;

  private constructor(
    encoding: string,
    bom: Buffer,
    lines: Line[],
    newlineStyle: Exclude<Eol, "">,
  ) {
    this.encoding = encoding;
    this.bom = bom;
    this.lines = lines;
    this.newlineStyle = newlineStyle;
  }

  /** Splits a file's bytes into lines. An empty buffer gives a document with no lines. */
  static parse(file: Buffer, encoding: string): LineDocument {
    if (
      file.length >= 2 &&
      ((file[0] === 0xff && file[1] === 0xfe) || (file[0] === 0xfe && file[1] === 0xff))
    ) {
      // Lines are found byte by byte, which only works for ASCII-compatible encodings.
      throw new EPostError(
        "EPOST_PARSE",
        "the file is UTF-16 (it starts with a UTF-16 byte-order mark); save it as CP932 or UTF-8 first",
      );
    }
    const bom = file.subarray(0, 3).equals(UTF8_BOM) ? UTF8_BOM : Buffer.alloc(0);
    const bytes = file.subarray(bom.length);
    const lines: Line[] = [];
    let start = 0;
    let i = 0;
    while (i < bytes.length) {
      const b = bytes[i];
      if (b === 0x0a || b === 0x0d) {
        let eol: Eol = b === 0x0a ? "\n" : "\r";
        let next = i + 1;
        if (b === 0x0d && bytes[i + 1] === 0x0a) {
          eol = "\r\n";
          next = i + 2;
        }
        lines.push(makeLine(bytes.subarray(start, i), eol, encoding));
        start = next;
        i = next;
      } else {
        i++;
      }
    }
    if (start < bytes.length) {
      lines.push(makeLine(bytes.subarray(start), "", encoding));
    }
    // New lines take the ending most lines have (the first one seen on a tie), so a file with
    // one odd line keeps its usual style.
    const counts = new Map<Exclude<Eol, "">, number>();
    for (const l of lines) if (l.eol !== "") counts.set(l.eol, (counts.get(l.eol) ?? 0) + 1);
    let style: Exclude<Eol, ""> = "\r\n";
    let best = 0;
    for (const [eol, n] of counts) {
      if (n > best) {
        style = eol;
        best = n;
      }
    }
    return new LineDocument(encoding, bom, lines, style);
  }

  /** The number of lines. */
  get length(): number {
    return this.lines.length;
  }

  /** The line at a 0-based index. */
  line(index: number): Line {
    const l = this.lines[index];
    if (l === undefined) {
      throw new RangeError(`line ${index} is out of range (0..${this.lines.length - 1})`);
    }
    return l;
  }

  /** All lines, in order. */
  all(): readonly Line[] {
    return this.lines;
  }

  /** An independent copy, so a failed edit can be rolled back without re-reading the file. */
  clone(): LineDocument {
    return new LineDocument(this.encoding, this.bom, this.lines.slice(), this.newlineStyle);
  }

  /** The file's bytes: every untouched line exactly as read, edited lines encoded. */
  toBuffer(): Buffer {
    const parts: Buffer[] = [this.bom];
    for (const l of this.lines) {
      parts.push(l.bytes);
      if (l.eol !== "") {
        parts.push(Buffer.from(l.eol, "latin1"));
      }
    }
    return Buffer.concat(parts);
  }

  /**
   * Inserts a new line before `index` (`index === length` appends).
   *
   * A file without a final newline keeps that shape: appending gives the old last line an
   * ending and leaves the new last line without one, so removing it again restores the file.
   */
  insert(index: number, text: string): void {
    if (index < 0 || index > this.lines.length) {
      throw new RangeError(`cannot insert at ${index}; the file has ${this.lines.length} lines`);
    }
    const bytes = this.encode(text);
    const last = this.lines[this.lines.length - 1];
    if (index === this.lines.length && last !== undefined && last.eol === "") {
      this.lines[this.lines.length - 1] = { ...last, eol: this.newlineStyle };
      this.lines.push({ bytes, eol: "", text });
      return;
    }
    this.lines.splice(index, 0, { bytes, eol: this.newlineStyle, text });
  }

  /** Replaces the content of a line, keeping its ending. */
  replace(index: number, text: string): void {
    const old = this.line(index);
    this.lines[index] = { bytes: this.encode(text), eol: old.eol, text };
  }

  /**
   * Removes a line. When the removed line was the last one and had no ending, the line before it
   * loses its ending too, undoing what {@link insert} did.
   */
  remove(index: number): void {
    const old = this.line(index);
    this.lines.splice(index, 1);
    const isLast = index === this.lines.length;
    if (isLast && old.eol === "" && this.lines.length > 0) {
      const prev = this.lines[this.lines.length - 1];
      this.lines[this.lines.length - 1] = { ...prev, eol: "" };
    }
  }

  private encode(text: string): Buffer {
    if (/[\r\n]/.test(text)) {
      throw new EPostError("EPOST_VALIDATION", "a line to write must not contain CR or LF");
    }
    const bytes = iconv.encode(text, this.encoding);
    if (iconv.decode(bytes, this.encoding) !== text) {
      throw new EPostError(
        "EPOST_VALIDATION",
        // The line is not shown: a gateway.dat line can hold authentication data.
        `a line of ${text.length} characters cannot be written in the file's encoding ${this.encoding}`,
      );
    }
    return bytes;
  }
}

function makeLine(bytes: Buffer, eol: Eol, encoding: string): Line {
  const copy = Buffer.from(bytes);
  return { bytes: copy, eol, text: iconv.decode(copy, encoding, { stripBOM: false }) };
}
