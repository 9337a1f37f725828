"""Builders for the corpus of bad and odd workbooks: one function per case.

Each builder writes its file (and any folder its path needs) into ``folder`` and returns the
path the command is given. Nothing big is committed: a "3 GiB" sheet is a few MB of deflate
written by hand, the millions of cells are generated here. ``cases.toml`` says what each
command must answer for each case; ``tests/test_corpus.py`` runs them.

Every roster is a guangxi-2012-technician roster (the program needs no local parameters), so
the same file goes through ``validate``, ``subsidy`` and ``render payout-notice``.
"""

from __future__ import annotations

import datetime as dt
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import openpyxl

PROGRAM = "guangxi-2012-technician"
MIB = 1 << 20

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def resident_id(first17: str) -> str:
    """A GB 11643-1999 number: ``first17`` digits plus its check character."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, _ID_WEIGHTS, strict=True))
    return first17 + _ID_CHECK[total % 11]


HEADER = [
    "序号", "姓名", "性别", "身份证号", "联系电话", "工作单位", "所在地", "职业(工种)",
    "现等级", "取证日期", "申报等级", "培训机构", "培训形式", "开班日期", "结业日期",
    "鉴定结果", "证书编号",
]  # fmt: skip
COLUMN = {name: index for index, name in enumerate(HEADER)}
TITLE = "2012年广西急需紧缺职业（工种）技师、高级技师培养对象花名册"


def trainee(number: int, name: str, id17: str, gender: str = "男") -> list[Any]:
    """One trainee who meets every rule of the program (a 高级工 applying for 技师)."""
    return [
        number, name, gender, resident_id(id17), f"1392986{number:04d}",
        "广西桂中汽车零部件有限公司", "南宁市", "数控车工", "高级工", dt.date(2009, 5, 30),
        "技师", "广西桂南技师学院", "脱产", dt.date(2012, 9, 17), dt.date(2012, 12, 14),
        "合格", f"12450107381866{number:02d}",
    ]  # fmt: skip


def clean_rows() -> list[list[Any]]:
    """Three trainees, all paid (1,900.00 each)."""
    return [
        trainee(1, "吴永明", "45010719720305609"),
        trainee(2, "蓝永明", "45030519680406521"),
        trainee(3, "林振华", "45010519820310493"),
    ]


def _save(workbook: openpyxl.Workbook, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


def roster(path: Path, rows: Iterable[list[Any]], *, title_rows: int = 1) -> Path:
    """A roster written by openpyxl: ``title_rows`` rows of title, the header, then ``rows``."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "花名册"
    for index in range(title_rows):
        sheet.append([TITLE if index == 0 else f"说明第{index + 1}行：请如实填写"])
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    return _save(workbook, path)


# --- a workbook written part by part ----------------------------------------------------------

_OFFICE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{_OFFICE}.sheet.main+xml"/>'
    f'<Override PartName="/xl/styles.xml" ContentType="{_OFFICE}.styles+xml"/>'
    "{sheets}{strings}</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
SHEET_OPEN = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{_MAIN_NS}">'
)
DATE_STYLE = 1  # numFmtId 14, a date
TEXT_STYLE = 2  # numFmtId 49, text


def _workbook_xml(sheets: list[tuple[str, str]]) -> str:
    entries = "".join(
        f'<sheet name="{escape(name)}" sheetId="{index}"'
        + (f' state="{state}"' if state != "visible" else "")
        + f' r:id="rId{index}"/>'
        for index, (name, state) in enumerate(sheets, start=1)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<workbook xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}"><sheets>{entries}</sheets></workbook>'
    )


def _workbook_rels(count: int, strings: bool) -> str:
    kind = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    entries = "".join(
        f'<Relationship Id="rId{i}" Type="{kind}/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, count + 1)
    )
    entries += f'<Relationship Id="rId{count + 1}" Type="{kind}/styles" Target="styles.xml"/>'
    if strings:
        entries += (
            f'<Relationship Id="rId{count + 2}" Type="{kind}/sharedStrings" '
            'Target="sharedStrings.xml"/>'
        )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f"{entries}</Relationships>"
    )


Chunks = Iterable[bytes | str]


def package(
    path: Path,
    sheets: list[tuple[str, str, Chunks]],
    *,
    shared_strings: Chunks | None = None,
    workbook_xml: str | None = None,
) -> Path:
    """A workbook written part by part: ``sheets`` are (name, state, XML chunks) in order."""
    path.parent.mkdir(parents=True, exist_ok=True)
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, len(sheets) + 1)
    )
    strings = (
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        if shared_strings is not None
        else ""
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr(
            "[Content_Types].xml", _CONTENT_TYPES.format(sheets=overrides, strings=strings)
        )
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr(
            "xl/workbook.xml", workbook_xml or _workbook_xml([(n, s) for n, s, _ in sheets])
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels", _workbook_rels(len(sheets), shared_strings is not None)
        )
        archive.writestr("xl/styles.xml", _STYLES)
        for index, (_, _, chunks) in enumerate(sheets, start=1):
            _write_member(archive, f"xl/worksheets/sheet{index}.xml", chunks)
        if shared_strings is not None:
            _write_member(archive, "xl/sharedStrings.xml", shared_strings)
    return path


def _write_member(archive: zipfile.ZipFile, name: str, chunks: Chunks) -> None:
    with archive.open(name, "w", force_zip64=True) as member:
        for chunk in chunks:
            member.write(chunk.encode("utf-8") if isinstance(chunk, str) else chunk)


def cell_xml(reference: str, value: Any) -> str:
    """One ``<c>``: text inline, numbers as numbers, dates as serials with a date style."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        serial = (value - dt.date(1899, 12, 30)).days
        return f'<c r="{reference}" s="{DATE_STYLE}"><v>{serial}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{reference}"><v>{value!r}</v></c>'
    return f'<c r="{reference}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'


def letter(index: int) -> str:
    """Column letters for a 0-based column index."""
    number, letters = index + 1, ""
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def row_xml(number: int, values: list[Any]) -> str:
    cells = "".join(cell_xml(f"{letter(i)}{number}", v) for i, v in enumerate(values))
    return f'<row r="{number}">{cells}</row>'


def roster_rows_xml(rows: Iterable[list[Any]] | None = None) -> list[str]:
    """Title in row 1, the header in row 2, trainees from row 3."""
    body = [[TITLE], HEADER, *(rows if rows is not None else clean_rows())]
    return [row_xml(number, values) for number, values in enumerate(body, start=1)]


def sheet_xml(
    rows: Iterable[str], *, before: str = "", after: str = "", opening: str = SHEET_OPEN
) -> Iterator[str]:
    yield opening + before + "<sheetData>"
    yield from rows
    yield "</sheetData>" + after + "</worksheet>"


# --- not an xlsx at all ---------------------------------------------------------------------------


def not_a_zip(folder: Path) -> Path:
    """A JPEG photo saved with the .xlsx suffix."""
    path = folder / "坏 文件.xlsx"
    path.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 64)
    return path


def empty_file(folder: Path) -> Path:
    """Zero bytes (a download that never started)."""
    path = folder / "空文件.xlsx"
    path.write_bytes(b"")
    return path


def truncated_xlsx(folder: Path) -> Path:
    """A real roster cut off at 60 % (the end of the zip, its directory, is missing)."""
    path = roster(folder / "截断.xlsx", clean_rows())
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 6 // 10])
    return path


def corrupt_member(folder: Path) -> Path:
    """The zip directory is intact but the sheet's compressed bytes are garbage."""
    path = package(
        folder / "损坏的工作表.xlsx", [("花名册", "visible", sheet_xml(roster_rows_xml()))]
    )
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    data = bytearray(path.read_bytes())
    start = info.header_offset + 30 + len(info.filename.encode()) + 20  # inside the deflate data
    for offset in range(start, min(start + 200, start + info.compress_size - 1)):
        data[offset] ^= 0x5A
    path.write_bytes(bytes(data))
    return path


def _compound_file(streams: list[tuple[str, bytes]]) -> bytes:
    """A minimal OLE2 compound file (what .xls and encrypted .xlsx files are) with ``streams``.

    Every stream is padded to 4096 bytes so it lives in regular 512-byte sectors (no mini
    stream); sector 0 is the FAT, sector 1 the directory.
    """
    end, free, fat_sector = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD
    fat = [fat_sector, end]
    starts: list[int] = []
    bodies: list[bytes] = []
    for _, data in streams:
        body = data.ljust(max(4096, -(-len(data) // 512) * 512), b"\x00")
        first = len(fat)
        count = len(body) // 512
        fat.extend(first + i + 1 for i in range(count - 1))
        fat.append(end)
        starts.append(first)
        bodies.append(body)
    assert len(fat) <= 128, "one FAT sector holds 128 entries"
    fat_bytes = struct.pack("<128I", *(fat + [free] * (128 - len(fat))))

    def entry(name: str, kind: int, child: int, right: int, start: int, size: int) -> bytes:
        encoded = name.encode("utf-16-le") + b"\x00\x00"
        return (
            encoded.ljust(64, b"\x00")
            + struct.pack("<HBB", len(encoded), kind, 1)  # kind 5 root, 2 stream; black
            + struct.pack("<III", free, right, child)  # left sibling, right sibling, child
            + b"\x00" * 16  # CLSID
            + struct.pack("<I", 0)  # state bits
            + b"\x00" * 16  # creation and modification times
            + struct.pack("<IQ", start, size)
        )

    directory = entry("Root Entry", 5, 1 if streams else free, free, end, 0)
    for index, ((name, data), start) in enumerate(zip(streams, starts, strict=True), start=1):
        right = index + 1 if index < len(streams) else free
        directory += entry(name, 2, free, right, start, len(data))
    directory = directory.ljust(512, b"\x00")
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\x00" * 16
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + b"\x00" * 6
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end, 0, end, 0)
        + struct.pack("<I", 0)
        + struct.pack("<108I", *([free] * 108))
    )
    assert len(header) == 512
    return header + fat_bytes + directory + b"".join(bodies)


def encrypted_workbook(folder: Path) -> Path:
    """What Excel writes for a workbook with an open password: an OLE file, not a zip."""
    path = folder / "加密的花名册.xlsx"
    info = struct.pack(
        "<HHI", 4, 4, 0x40
    ) + "Microsoft Enhanced RSA and AES Cryptographic Provider".encode("utf-16-le")
    path.write_bytes(
        _compound_file(
            [
                ("EncryptionInfo", info),
                ("EncryptedPackage", struct.pack("<Q", 8192) + bytes(range(256)) * 32),
            ]
        )
    )
    return path


def old_xls(folder: Path) -> Path:
    """An Excel 97-2003 .xls (a BIFF8 Workbook stream in an OLE file), here named .xls."""
    path = folder / "旧格式.xls"
    bof = struct.pack("<HHHHHHI", 0x0809, 16, 0x0600, 0x0005, 0x0DBB, 0x07CC, 0) + b"\x00" * 4
    path.write_bytes(_compound_file([("Workbook", bof + struct.pack("<HH", 0x000A, 0))]))
    return path


def csv_as_xlsx(folder: Path) -> Path:
    """A CSV export renamed to .xlsx."""
    path = folder / "名单.xlsx"
    lines = [",".join(HEADER)] + [",".join(str(value) for value in row) for row in clean_rows()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def ods_as_xlsx(folder: Path) -> Path:
    """A LibreOffice/WPS .ods spreadsheet renamed to .xlsx."""
    path = folder / "花名册（WPS）.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet"
        )
        archive.writestr(
            "content.xml",
            '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
            'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
            'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
            'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body>'
            '<office:spreadsheet><table:table table:name="花名册"><table:table-row>'
            "<table:table-cell><text:p>姓名</text:p></table:table-cell></table:table-row>"
            "</table:table></office:spreadsheet></office:body></office:document-content>",
        )
        archive.writestr(
            "META-INF/manifest.xml",
            '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
            'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>',
        )
    return path


def docx_as_xlsx(folder: Path) -> Path:
    """A Word document renamed to .xlsx."""
    path = folder / "通知.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("word/document.xml", '<?xml version="1.0"?><w:document/>')
    return path


# --- bombs ------------------------------------------------------------------------------------


def _deflated_spaces(head: bytes, gib: int, tail: bytes) -> tuple[bytes, int]:
    """Raw deflate of ``head`` + ``gib`` GiB of spaces + ``tail``, built without inflating it.

    After a full flush the compressor has no history, so every MiB of spaces compresses to the
    same bytes: one block is made and repeated.
    """
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    start = compressor.compress(head) + compressor.flush(zlib.Z_FULL_FLUSH)
    block = compressor.compress(b" " * MIB) + compressor.flush(zlib.Z_FULL_FLUSH)
    again = compressor.compress(b" " * MIB) + compressor.flush(zlib.Z_FULL_FLUSH)
    assert block == again
    end = compressor.compress(tail) + compressor.flush()
    blocks = gib * 1024
    return start + block * (blocks - 2) + end, len(head) + blocks * MIB + len(tail)


def _zip_by_hand(path: Path, members: list[tuple[str, bytes, int, int, int]]) -> None:
    """A zip whose headers say what we like: (name, data, method, crc, declared size)."""
    local = b""
    central = b""
    for name, data, method, crc, declared in members:
        encoded = name.encode("utf-8")
        fields = struct.pack("<HHHHHIII", 20, 0x0800, method, 0, 0x21, crc, len(data), declared)
        offset = len(local)
        local += b"PK\x03\x04" + fields + struct.pack("<HH", len(encoded), 0) + encoded + data
        central += (
            b"PK\x01\x02"
            + struct.pack("<H", 20)
            + fields
            + struct.pack("<HHHHHI", len(encoded), 0, 0, 0, 0, 0o100644 << 16)
            + struct.pack("<I", offset)
            + encoded
        )
    end = b"PK\x05\x06" + struct.pack(
        "<HHHHIIH", 0, 0, len(members), len(members), len(central), len(local), 0
    )
    path.write_bytes(local + central + end)


def _bomb(path: Path, *, gib: int, lie: bool) -> Path:
    """A roster whose sheet XML holds ``gib`` GiB of spaces between two rows."""
    rows = roster_rows_xml()
    head = ("".join([SHEET_OPEN, "<sheetData>", *rows[:3]])).encode()
    tail = ("".join([*rows[3:], "</sheetData></worksheet>"])).encode()
    deflated, size = _deflated_spaces(head, gib, tail)
    # the CRC is not what protects a reader: it can only be checked after inflating it all
    members = [
        _member(
            "[Content_Types].xml",
            _CONTENT_TYPES.format(
                sheets='<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
                'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>',
                strings="",
            ),
        ),
        _member("_rels/.rels", _ROOT_RELS),
        _member("xl/workbook.xml", _workbook_xml([("花名册", "visible")])),
        _member("xl/_rels/workbook.xml.rels", _workbook_rels(1, False)),
        _member("xl/styles.xml", _STYLES),
        ("xl/worksheets/sheet1.xml", deflated, 8, 0, 4096 if lie else size),
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    _zip_by_hand(path, members)
    return path


def _member(name: str, text: str) -> tuple[str, bytes, int, int, int]:
    data = text.encode("utf-8")
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    packed = compressor.compress(data) + compressor.flush()
    return name, packed, 8, zlib.crc32(data), len(data)


def zip_bomb(folder: Path) -> Path:
    """3 GiB of sheet XML in a 3 MB file; the zip directory says so honestly."""
    return _bomb(folder / "炸弹.xlsx", gib=3, lie=False)


def zip_bomb_lying(folder: Path) -> Path:
    """5 GiB of sheet XML in 5 MB, and the zip directory claims the sheet is 4 KiB."""
    return _bomb(folder / "炸弹（伪造大小）.xlsx", gib=5, lie=True)


# --- hostile XML --------------------------------------------------------------------------------

_LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">'
        for n in range(1, 10)
    )
    + "]>"
)
_EXTERNAL = '<!DOCTYPE data [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
_XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def _entity_workbook(path: Path, doctype: str, entity: str, *, in_strings: bool) -> Path:
    """A roster whose sheet XML (or shared strings) declares ``doctype`` and uses ``entity``."""
    rows = roster_rows_xml()
    extra = len(rows) + 1
    if in_strings:
        rows.append(f'<row r="{extra}"><c r="B{extra}" t="s"><v>0</v></c></row>')
        strings = [
            _XML_DECLARATION + doctype,
            f'<sst xmlns="{_MAIN_NS}" count="1" uniqueCount="1"><si><t>{entity}</t></si></sst>',
        ]
        return package(path, [("花名册", "visible", sheet_xml(rows))], shared_strings=strings)
    rows.append(
        f'<row r="{extra}"><c r="B{extra}" t="inlineStr"><is><t>{entity}</t></is></c></row>'
    )
    opening = _XML_DECLARATION + doctype + f'<worksheet xmlns="{_MAIN_NS}">'
    return package(path, [("花名册", "visible", sheet_xml(rows, opening=opening))])


def billion_laughs_sheet(folder: Path) -> Path:
    """Nested entities (10^9 "lol"s) declared in the sheet XML and used in a cell."""
    return _entity_workbook(folder / "实体膨胀.xlsx", _LAUGHS, "&lol9;", in_strings=False)


def billion_laughs_strings(folder: Path) -> Path:
    """Nested entities declared in sharedStrings.xml and used in a string."""
    return _entity_workbook(
        folder / "实体膨胀（共享字符串）.xlsx", _LAUGHS, "&lol9;", in_strings=True
    )


def external_entity_sheet(folder: Path) -> Path:
    """An external entity (file:///etc/passwd) declared in the sheet XML and used in a cell."""
    return _entity_workbook(folder / "外部实体.xlsx", _EXTERNAL, "&xxe;", in_strings=False)


def external_entity_strings(folder: Path) -> Path:
    """An external entity declared in sharedStrings.xml and used in a string."""
    return _entity_workbook(
        folder / "外部实体（共享字符串）.xlsx", _EXTERNAL, "&xxe;", in_strings=True
    )


def external_entity_workbook_part(folder: Path) -> Path:
    """An external entity in xl/workbook.xml, used in the sheet's name."""
    path = folder / "外部实体（工作簿）.xlsx"
    workbook = (
        _XML_DECLARATION
        + _EXTERNAL
        + f'<workbook xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}"><sheets>'
        + '<sheet name="花名册&xxe;" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    return package(
        path, [("花名册", "visible", sheet_xml(roster_rows_xml()))], workbook_xml=workbook
    )


# --- too many cells ----------------------------------------------------------------------------


def empty_cells(folder: Path) -> Path:
    """Three trainees, then 3 million formatted empty cells (rows 6-100000, columns A-AD).

    What a sheet looks like after someone selected whole columns and gave them borders.
    """
    columns = [letter(i) for i in range(30)]
    template = (
        '<row r="{0}">' + "".join(f'<c r="{c}{{0}}" s="{TEXT_STYLE}"/>' for c in columns) + "</row>"
    )

    def rows() -> Iterator[str]:
        yield from roster_rows_xml()
        batch: list[str] = []
        for number in range(6, 100_001):
            batch.append(template.format(number))
            if len(batch) == 2000:
                yield "".join(batch)
                batch = []
        yield "".join(batch)

    dimension = '<dimension ref="A1:AD100000"/>'
    return package(
        folder / "大量空白单元格.xlsx",
        [("花名册", "visible", sheet_xml(rows(), before=dimension))],
    )


def dimension_xfd(folder: Path) -> Path:
    """A small roster whose sheet declares the whole grid, A1:XFD1048576, as its range."""
    return package(
        folder / "声明范围过大.xlsx",
        [
            (
                "花名册",
                "visible",
                sheet_xml(roster_rows_xml(), before='<dimension ref="A1:XFD1048576"/>'),
            )
        ],
    )


def _far(path: Path, far_row: str) -> Path:
    return package(path, [("花名册", "visible", sheet_xml([*roster_rows_xml(), far_row]))])


def far_cell(folder: Path) -> Path:
    """A small roster plus one value in the last cell of the grid, XFD1048576.

    Calamine lays a sheet out densely from A1 to its last value: 17 billion cells.
    """
    return _far(
        folder / "远端单元格.xlsx",
        '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>',
    )


def far_cell_second_attribute(folder: Path) -> Path:
    """The far cell's reference hides in a second r attribute (a reader keeps the last)."""
    return _far(
        folder / "远端单元格（重复属性）.xlsx",
        '<row r="6"><c r="A6" s="0" r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>',
    )


def far_cell_prefixed(folder: Path) -> Path:
    """The far cell is written with a namespace prefix, <x:c>, which readers accept."""
    return _far(
        folder / "远端单元格（前缀）.xlsx",
        f'<x:row xmlns:x="{_MAIN_NS}" r="6"><x:c r="XFD1048576" t="inlineStr">'
        "<x:is><x:t>x</x:t></x:is></x:c></x:row>",
    )


def wide_row_without_references(folder: Path) -> Path:
    """Cells without r attributes: one row of 16,384 values, then a value on row 400."""
    wide = "".join("<c><v>1</v></c>" for _ in range(16_384))
    return package(
        folder / "无引用的宽行.xlsx",
        [
            (
                "花名册",
                "visible",
                sheet_xml(
                    [
                        *roster_rows_xml(),
                        f'<row r="6">{wide}</row>',
                        '<row r="400"><c><v>1</v></c></row>',
                    ]
                ),
            )
        ],
    )


def huge_shared_strings(folder: Path) -> Path:
    """A roster whose shared-strings table is 100 MiB (3.4 million distinct strings)."""
    rows = roster_rows_xml()
    per_block = 33_000  # strings of 31 bytes: 1 MiB a block
    blocks = 100
    count = per_block * blocks
    block = "".join(f"<si><t>学员@@@@{n:06d}</t></si>" for n in range(per_block))

    def strings() -> Iterator[str]:
        yield _XML_DECLARATION + f'<sst xmlns="{_MAIN_NS}" count="{count}" uniqueCount="{count}">'
        for number in range(blocks):
            yield block.replace("@@@@", f"{number:04d}")
        yield "</sst>"

    return package(
        folder / "共享字符串过大.xlsx",
        [("花名册", "visible", sheet_xml(rows))],
        shared_strings=strings(),
    )


# --- odd but readable -----------------------------------------------------------------------


def formulas_without_values(folder: Path) -> Path:
    """Identity numbers and a name written as formulas with no cached result (never opened
    in Excel after a generator wrote them)."""
    rows = clean_rows()
    xml_rows = roster_rows_xml(rows)
    id_column = letter(COLUMN["身份证号"])
    name_column = letter(COLUMN["姓名"])
    identity = rows[1][COLUMN["身份证号"]]
    formula = f'<c r="{id_column}4"><f>"{identity[:9]}"&amp;"{identity[9:]}"</f></c>'
    xml_rows[3] = (
        xml_rows[3]
        .replace(cell_xml(f"{id_column}4", identity), formula)
        .replace(
            cell_xml(f"{name_column}4", rows[1][1]),
            f'<c r="{name_column}4" t="str"><f>"蓝"&amp;"永明"</f></c>',
        )
    )
    assert formula in xml_rows[3]
    return package(folder / "公式无缓存值.xlsx", [("花名册", "visible", sheet_xml(xml_rows))])


def merged_header(folder: Path) -> Path:
    """A two-row header: 序号 to 身份证号 merged down rows 2-3, the other columns grouped
    under titles merged across row 2 with their own headers in row 3."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "花名册"
    sheet.append([TITLE])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
    top = [*HEADER[:4], "单位信息", None, None, "培训信息"]
    sheet.append(top + [None] * (len(HEADER) - len(top)))
    sheet.append([None] * 4 + HEADER[4:])
    for column in "ABCD":
        sheet.merge_cells(f"{column}2:{column}3")
    sheet.merge_cells("E2:G2")
    sheet.merge_cells(f"H2:{letter(len(HEADER) - 1)}2")
    for row in clean_rows():
        sheet.append(row)
    return _save(workbook, folder / "合并表头.xlsx")


def header_on_row_30(folder: Path) -> Path:
    """Twenty-nine rows of title, notes and blanks above the header."""
    return roster(folder / "表头在第30行.xlsx", clean_rows(), title_rows=29)


def hidden_sheets_first(folder: Path) -> Path:
    """A hidden and a very hidden sheet (both with roster headers) before the data sheet."""
    workbook = openpyxl.Workbook()
    hidden = workbook.active
    assert hidden is not None
    hidden.title = "旧名单"
    hidden.append(HEADER)
    hidden.append(trainee(9, "隐藏人", "45010219800101009"))
    hidden.sheet_state = "hidden"
    very = workbook.create_sheet("下拉选项")
    very.append(HEADER)
    very.sheet_state = "veryHidden"
    data = workbook.create_sheet("花名册")
    data.append([TITLE])
    data.append(HEADER)
    for row in clean_rows():
        data.append(row)
    return _save(workbook, folder / "隐藏工作表在前.xlsx")


def duplicate_headers(folder: Path) -> Path:
    """Two columns headed 身份证号 (one was pasted in twice)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append([TITLE])
    sheet.append([*HEADER, "身份证号"])
    for row in clean_rows():
        sheet.append([*row, row[COLUMN["身份证号"]]])
    return _save(workbook, folder / "重复表头.xlsx")


def mixed_dates(folder: Path) -> Path:
    """取证日期 as text, a bare serial number, 1900-02-29 (text and Excel's serial 60) and 2099."""
    rows = clean_rows()
    extra = [
        trainee(4, "韦小宝", "45010219800101011"),
        trainee(5, "覃明", "45010219800101013"),
        trainee(6, "黄华", "45010219800101015"),
        trainee(7, "莫文", "45010219800101017"),
    ]
    column = COLUMN["取证日期"]
    rows[0][column] = "2009年5月30日"  # text, fine
    rows[1][column] = 39963  # a serial with no date format: 2009-05-30
    rows[2][column] = "2009/5/30"
    extra[0][column] = "1900-02-29"  # a day that never was
    extra[1][column] = 60  # Excel's serial for its phantom 1900-02-29
    extra[2][column] = dt.date(2099, 5, 30)  # after the class began
    extra[3][column] = "去年五月"  # not a date
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append([TITLE])
    sheet.append(HEADER)
    for row in [*rows, *extra]:
        sheet.append(row)
    for number in range(3, 3 + len(rows) + len(extra)):
        cell = sheet.cell(row=number, column=column + 1)
        if isinstance(cell.value, int):
            cell.number_format = "General"
    return _save(workbook, folder / "日期混杂.xlsx")


def odd_identity_numbers(folder: Path) -> Path:
    """Identity numbers with spaces, in full-width digits, and as a number (4.50102E+17)."""
    rows = clean_rows()
    column = COLUMN["身份证号"]
    spaced = rows[0][column]
    rows[0][column] = f"{spaced[:6]} {spaced[6:14]} {spaced[14:]}"
    full = rows[1][column]
    rows[1][column] = full.translate({ord(d): ord(d) + 0xFEE0 for d in "0123456789"})
    as_number = resident_id("45010219800101001")
    rows[2][column] = float(as_number)  # Excel keeps 15 digits: 450102198001010000
    return roster(folder / "身份证号格式各异.xlsx", rows)


INJECTIONS = {
    "姓名": '=HYPERLINK("http://example.invalid/","张三")',
    "工作单位": "+86 柳州某公司",
    "培训机构": "@SUM(1+1)*cmd|' /C calc'!A0",
    "证书编号": "-1245010738186601",
}


def formula_injection(folder: Path) -> Path:
    """Text cells that start with =, +, - and @ (each stored as text in the roster)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append([TITLE])
    sheet.append(HEADER)
    for row in clean_rows():
        sheet.append(row)
    for name, text in INJECTIONS.items():
        cell = sheet.cell(row=3, column=COLUMN[name] + 1)
        cell.value = text
        cell.data_type = "s"
    return _save(workbook, folder / "公式注入.xlsx")


def odd_file_name(folder: Path) -> Path:
    """A clean roster reached through a path with spaces, Chinese and a .. part."""
    (folder / "上传 文件").mkdir(exist_ok=True)
    roster(folder / "学员 花名册（第1期）.xlsx", clean_rows())
    return folder / "上传 文件" / ".." / "学员 花名册（第1期）.xlsx"


# --- hostile input, round two (issue 14) -------------------------------------------------------


def _patched(
    path: Path, changes: dict[str, list[tuple[bytes, bytes]]], extra: dict[str, bytes] | None = None
) -> Path:
    """Rewrite parts of a saved workbook: each (old, new) replaced in the named part."""
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    for name, pairs in changes.items():
        for old, new in pairs:
            assert old in parts[name], (name, old)
            parts[name] = parts[name].replace(old, new)
    parts.update(extra or {})
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


_SHEET = "xl/worksheets/sheet1.xml"


def markup_in_cells(folder: Path) -> Path:
    """Rich markup in 姓名, 工作单位 and 培训机构 (it once ended in MarkupError, exit 3)."""
    rows = clean_rows()
    rows[0][COLUMN["姓名"]] = "[/b]吴永明"
    rows[1][COLUMN["工作单位"]] = "[bold red]广西桂中汽车零部件有限公司"
    rows[2][COLUMN["培训机构"]] = "[/]广西桂南技师学院[link=http://x]"
    return roster(folder / "标记文字.xlsx", rows)


def control_characters(folder: Path) -> Path:
    """`_x000B_`, ESC (clear screen, an OSC-8 link), NUL and U+202E in 培训机构 and 姓名."""
    rows = clean_rows()
    rows[0][COLUMN["培训机构"]] = "广西桂南CTRL技师学院"
    rows[1][COLUMN["姓名"]] = "蓝\u202e永明"
    path = roster(folder / "控制字符.xlsx", rows)
    escapes = b"_x000B__x001B_[2J_x001B_]8;;http://evil/_x001B_\\_x0000_"
    return _patched(path, {_SHEET: [(b"CTRL", escapes)]})


def date_out_of_range(folder: Path) -> Path:
    """A date-formatted -1.1e11 in J4 (取证日期): calamine panics in Rust converting it."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "花名册"
    sheet.append([TITLE])
    sheet.append(HEADER)
    for row in clean_rows():
        sheet.append(row)
    sheet["J4"] = -1.1e11
    sheet["J4"].number_format = "yyyy-mm-dd"
    return _save(workbook, folder / "日期越界.xlsx")


def sheet_name_line_break(folder: Path) -> Path:
    """The sheet named `花名` line break `册`, raw in workbook.xml (openpyxl reads a space)."""
    path = roster(folder / "表名换行.xlsx", clean_rows())
    return _patched(
        path, {"xl/workbook.xml": [('name="花名册"'.encode(), 'name="花名\n册"'.encode())]}
    )


def hidden_rows(folder: Path) -> Path:
    """Row 4 hidden and row 5 of zero height, both holding a trainee who is paid."""
    path = roster(folder / "隐藏行.xlsx", clean_rows())
    return _patched(
        path,
        {
            _SHEET: [
                (b'<row r="4"', b'<row r="4" hidden="1"'),
                (b'<row r="5"', b'<row r="5" ht="0" customHeight="1"'),
            ]
        },
    )


def merge_over_the_sheet(folder: Path) -> Path:
    """One <mergeCell ref="A10:XFD1048576"/>: openpyxl would build 17 billion cells."""
    path = roster(folder / "合并全表.xlsx", clean_rows())
    merge = b'</sheetData><mergeCells count="1"><mergeCell ref="A10:XFD1048576"/></mergeCells>'
    return _patched(path, {_SHEET: [(b"</sheetData>", merge)]})


def merge_flood(folder: Path) -> Path:
    """100,000 <mergeCell ref="A1:XFD1"/> in a file of a few kilobytes."""
    path = roster(folder / "大量合并.xlsx", clean_rows())
    merges = (
        b"</sheetData><mergeCells>" + b'<mergeCell ref="A1:XFD1"/>' * 100_000 + b"</mergeCells>"
    )
    return _patched(path, {_SHEET: [(b"</sheetData>", merges)]})


def hyperlink_over_the_sheet(folder: Path) -> Path:
    """A hyperlink over A10:XFD1048576 (openpyxl makes a cell for each cell it covers)."""
    path = roster(folder / "超链接全表.xlsx", clean_rows())
    link = b'</sheetData><hyperlinks><hyperlink ref="A10:XFD1048576" display="x"/></hyperlinks>'
    return _patched(path, {_SHEET: [(b"</sheetData>", link)]})


def unreferenced_parts(folder: Path) -> Path:
    """Twelve parts no relationship names, each 4 MB of self-closing `<c r='A1'/>`."""
    junk = (
        b"<?xml version='1.0'?><worksheet><sheetData><row>"
        + b"<c r='A1'/>" * 400_000
        + b"</row></sheetData></worksheet>"
    )
    path = roster(folder / "多余部件.xlsx", clean_rows())
    return _patched(path, {}, {f"xl/junk/part{i}.xml": junk for i in range(12)})


BUILDERS: dict[str, Callable[[Path], Path]] = {
    function.__name__.replace("_", "-"): function
    for function in (
        not_a_zip, empty_file, truncated_xlsx, corrupt_member, encrypted_workbook, old_xls,
        csv_as_xlsx, ods_as_xlsx, docx_as_xlsx, zip_bomb, zip_bomb_lying,
        billion_laughs_sheet, billion_laughs_strings, external_entity_sheet,
        external_entity_strings, external_entity_workbook_part, empty_cells, dimension_xfd,
        far_cell, far_cell_second_attribute, far_cell_prefixed, wide_row_without_references,
        huge_shared_strings, formulas_without_values, merged_header, header_on_row_30,
        hidden_sheets_first, duplicate_headers, mixed_dates, odd_identity_numbers,
        formula_injection, odd_file_name, markup_in_cells, control_characters,
        date_out_of_range, sheet_name_line_break, hidden_rows, merge_over_the_sheet, merge_flood,
        hyperlink_over_the_sheet, unreferenced_parts,
    )
}  # fmt: skip


def build(case: str, folder: Path) -> Path:
    """Write case ``case`` into ``folder``; the path to give the command."""
    folder.mkdir(parents=True, exist_ok=True)
    return BUILDERS[case](folder)
