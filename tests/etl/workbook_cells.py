"""Edit numeric cells of a real .xlsx or .ods workbook in place (for the bad-input corpus).

A spreadsheet stores numbers as numbers, so a parser meets them as floats rather than text:
the corpus changes them here to reach that path (negative counts, rates beyond their possible
maximum, infinity). A cell is found by the row whose cells hold given texts (`key`: column index -> text, e.g.
the area code and the year) and by its 0-based column index; everything else in the file is
copied byte for byte.
"""
from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape


def _col_letter(i: int) -> str:
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def _rewrite(path: Path, member: str, fn) -> bytes:
    src = zipfile.ZipFile(path)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == member:
                data = fn(data.decode("utf-8")).encode("utf-8")
            dst.writestr(info, data, compress_type=zipfile.ZIP_STORED if info.filename == "mimetype"
                         else zipfile.ZIP_DEFLATED)
    return buf.getvalue()


# --------------------------------------------------------------------------- xlsx
def _xlsx_sheet_member(z: zipfile.ZipFile, sheet: str) -> str:
    wb = z.read("xl/workbook.xml").decode("utf-8")
    m = re.search(r'<sheet\b[^>]*\bname="%s"[^>]*\br:id="([^"]+)"' % re.escape(escape(sheet, {'"': "&quot;"})), wb)
    if not m:
        raise KeyError(sheet)
    rels = z.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    t = re.search(r'<Relationship\b[^>]*\bId="%s"[^>]*\bTarget="([^"]+)"' % m.group(1), rels) or \
        re.search(r'<Relationship\b[^>]*\bTarget="([^"]+)"[^>]*\bId="%s"' % m.group(1), rels)
    target = t.group(1).lstrip("/")
    return target if target.startswith("xl/") else "xl/" + target


def _xlsx_cell_texts(z: zipfile.ZipFile, xml: str) -> dict[tuple[int, int], str]:
    strings = []
    if "xl/sharedStrings.xml" in z.namelist():
        sst = z.read("xl/sharedStrings.xml").decode("utf-8")
        for si in re.finditer(r"<si>(.*?)</si>", sst, re.S):
            strings.append("".join(re.findall(r"<t[^>]*>(.*?)</t>", si.group(1), re.S)))
    out = {}
    for m in re.finditer(r'<c r="([A-Z]+)(\d+)"([^>]*?)(?:/>|>(.*?)</c>)', xml, re.S):
        attrs, inner = m.group(3), m.group(4) or ""
        v = re.search(r"<v>(.*?)</v>", inner, re.S)
        text = re.search(r"<t[^>]*>(.*?)</t>", inner, re.S)
        if 't="s"' in attrs and v:
            value = strings[int(v.group(1))]
        elif text:
            value = text.group(1)
        else:
            value = v.group(1) if v else ""
        col = 0
        for ch in m.group(1):
            col = col * 26 + ord(ch) - 64
        out[(int(m.group(2)), col - 1)] = value.strip()
    return out


def _xlsx_row_of(z: zipfile.ZipFile, xml: str, key: dict[int, str]) -> int:
    cells = _xlsx_cell_texts(z, xml)
    rows = sorted({r for r, c in cells})
    for r in rows:
        if all(cells.get((r, c)) == t for c, t in key.items()):
            return r
    raise KeyError(key)


def xlsx_set(path: Path, sheet: str, key: dict[int, str], values: dict[int, float]) -> bytes:
    """The workbook with the cells of the row matching `key` at the given column indices set
    to numbers."""
    z = zipfile.ZipFile(path)
    member = _xlsx_sheet_member(z, sheet)

    def edit(xml: str) -> str:
        row = _xlsx_row_of(z, xml, key)
        for col, value in values.items():
            ref = f"{_col_letter(col)}{row}"
            pat = re.compile(r'<c r="%s"([^>]*?)(/>|>.*?</c>)' % ref, re.S)
            m = pat.search(xml)
            if not m:
                raise KeyError(ref)
            attrs = re.sub(r'\s+t="[^"]*"', "", m.group(1))
            xml = xml[:m.start()] + f'<c r="{ref}"{attrs}><v>{value!r}</v></c>' + xml[m.end():]
        return xml
    return _rewrite(path, member, edit)


# --------------------------------------------------------------------------- ods
_CELL = re.compile(r"<table:(?:covered-)?table-cell\b[^>]*?(?:/>|>.*?</table:(?:covered-)?table-cell>)", re.S)


def ods_set(path: Path, sheet: str, key: dict[int, str], values: dict[int, float]) -> bytes:
    """As xlsx_set, for an OpenDocument spreadsheet (content.xml)."""
    def edit(xml: str) -> str:
        start = xml.index(f'<table:table table:name="{escape(sheet)}"')
        end = xml.index("</table:table>", start)
        for row in re.finditer(r"<table:table-row\b[^>]*>(.*?)</table:table-row>", xml[start:end], re.S):
            cells, pos, texts = [], 0, {}
            for c in _CELL.finditer(row.group(1)):
                rep = int(re.search(r'table:number-columns-repeated="(\d+)"', c.group(0)).group(1)) \
                    if "number-columns-repeated" in c.group(0).split(">", 1)[0] else 1
                cells.append((pos, rep, c))
                text = "".join(re.findall(r"<text:p[^>]*>(.*?)</text:p>", c.group(0), re.S))
                for k in key:
                    if pos <= k < pos + rep:
                        texts[k] = re.sub(r"<[^>]+>", "", text).strip()
                pos += rep
            if any(texts.get(k) != t for k, t in key.items()):
                continue
            inner = row.group(1)
            for pos, rep, c in sorted(cells, key=lambda t: -t[0]):
                for col, value in values.items():
                    if pos == col and rep == 1:
                        new = (f'<table:table-cell office:value-type="float" office:value="{value!r}">'
                               f"<text:p>{value!r}</text:p></table:table-cell>")
                        inner = inner[:c.start()] + new + inner[c.end():]
                    elif pos <= col < pos + rep:
                        raise ValueError(f"column {col} is a repeated cell in the row of {key}")
            a = start + row.start(1)
            b = start + row.end(1)
            return xml[:a] + inner + xml[b:]
        raise KeyError(key)
    return _rewrite(path, "content.xml", edit)


def set_cells(path: Path, sheet: str, key: dict[int, str], values: dict[int, float]) -> bytes:
    fn = ods_set if path.suffix.lower() == ".ods" else xlsx_set
    return fn(path, sheet, key, values)
