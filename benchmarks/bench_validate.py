"""Benchmark `skillpolicy validate` and `validate --annotate` against two parse floors.

Run from the repository root (the project installed, e.g. ``pip install -e .[test]``):

    python benchmarks/bench_validate.py                          # 10k, 100k and 1M rows, best of 3
    python benchmarks/bench_validate.py --sizes 10000,100000 --repeat 2
    python benchmarks/bench_validate.py --sizes 1000000 --repeat 1 --markdown
    python benchmarks/bench_validate.py --sizes 100000 --profile  # and cProfile validate in-process

For each size a roster (xuchang-2013-revitalization, 19 columns, ~1% of rows with planted
errors) is generated once into --workdir (default bench-out/) and reused. Every measurement
runs in a fresh process; wall and CPU time are the best of --repeat runs, peak RSS the
largest, taken from GNU time when it is installed, else from os.wait4 on the child.

The floors: a bare python-calamine ``iter_rows()`` of the sheet, and ``polars.read_excel``
(fastexcel, calamine under it, into Arrow) when polars and fastexcel are importable (they are
not the project's dependencies: install them beside it to measure that floor). The targets
(issue 16): validate <= 1.5x the parse in time and <= 1.3x in peak memory, against each
floor; validate --annotate <= 2x validate and <= 1.3x its memory; the 1M-row roster
accepted (not refused by the workbook guard); time per row flat from the smallest size to
the largest (within 25%, interpreter start-up taken off); ``skillpolicy --version`` within
0.25 s. Each is printed PASS or FAIL. ``--markdown`` ends with the README's table.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import datetime as dt
import importlib
import io
import json
import os
import pstats
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

PROGRAM = "xuchang-2013-revitalization"
FORMAT_VERSION = 2  # bump when the generated roster changes, so stale caches are rebuilt
TIME_TARGET = 1.5  # validate / a parse floor
MEMORY_TARGET = 1.3
ANNOTATE_TIME_TARGET = 2.0  # validate --annotate / validate
ANNOTATE_MEMORY_TARGET = 1.3
STARTUP_TARGET = 0.25  # seconds, skillpolicy --version
FLAT_TARGET = 1.25  # the largest size's time per row / the smallest's
DEFAULT_SIZES = (10_000, 100_000, 1_000_000)

COLUMNS = [
    "姓名",
    "性别",
    "身份证号",
    "联系电话",
    "人员类别",
    "培训类别",
    "培训类型",
    "职业(工种)",
    "申报等级",
    "培训机构",
    "所在地",
    "开班审批日期",
    "开班日期",
    "结业日期",
    "到课率",
    "抽查次数",
    "鉴定结果",
    "证书编号",
    "补贴领取方式",
]
GROUPS = [
    "城镇登记失业人员",
    "农村转移就业劳动者",
    "毕业年度高校毕业生",
    "城乡未继续升学的应届初高中毕业生",
]
CATEGORIES = [
    "企业职工在岗和转岗技能培训",
    "下岗失业人员培训",
    "农村劳动力培训",
    "高校毕业生培训",
    "创业培训",
    "“两后生”培训",
    "退役士兵培训",
    "“阳光工程”培训",
    "“雨露计划”培训",
    "困难职工培训",
    "青年农民工培训",
    "妇女技能培训",
    "残疾人培训",
]
OCCUPATIONS = [
    "焊工",
    "电工",
    "车工",
    "钳工",
    "育婴员",
    "家政服务员",
    "养老护理员",
    "中式烹调师",
    "中式面点师",
    "美容师",
    "美发师",
    "计算机操作员",
    "汽车维修工",
    "服装制作工",
    "缝纫工",
    "保育员",
    "电子商务师",
    "农艺工",
    "茶艺师",
    "插花员",
]
PLACES = {  # 所在地 -> county code used in the identity numbers
    "魏都区": "411002",
    "许昌县": "411023",
    "鄢陵县": "411024",
    "襄城县": "411025",
    "禹州市": "411081",
    "长葛市": "411082",
}
INSTITUTIONS = [
    f"{town}{kind}"
    for town in ("许昌市", "禹州市", "长葛市", "鄢陵县", "襄城县", "许昌县")
    for kind in (
        "职业技术培训学校",
        "技工学校",
        "阳光职业培训学校",
        "华夏职业培训中心",
        "劳动就业培训中心",
    )
]
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = "伟芳娜秀敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂英华玉萍红建文辉力鹏飞斌宇浩凯亮晨欣雪梅琳倩婷佳子轩涵宁博晓东海波俊"

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS = "10X98765432"

BARE_ITER = """
import sys
from python_calamine import CalamineWorkbook
sheet = CalamineWorkbook.from_path(sys.argv[1]).get_sheet_by_index(0)
rows = 0
for _ in sheet.iter_rows():
    rows += 1
print(rows)
"""
POLARS_READ = """
import sys
import polars
frame = polars.read_excel(sys.argv[1], engine="calamine", read_options={"header_row": 1})
print(frame.height)
"""


# --------------------------------------------------------------------------- the roster


def check_char(first17: str) -> str:
    """GB 11643-1999 check character of the first 17 digits."""
    return _ID_CHECK_CHARS[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def identity(county: str, birth: dt.date, male: bool, serial: int) -> str:
    """A valid 18-character identity number; ``serial`` keeps numbers unique in the roster."""
    order = (serial % 500) * 2 + (1 if male else 0)  # 3-digit order code, odd for men
    first17 = f"{county}{birth:%Y%m%d}{order:03d}"
    return first17 + check_char(first17)


@dataclass
class Plan:
    rows: int
    planted_rows: int
    warned_classes: int


def roster_rows(plan: Plan, seed: int, error_rate: float) -> Iterator[list[object]]:
    """``plan.rows`` trainees in classes of 20 to 60, ``error_rate`` of the rows (~1%) with
    one planted error; counts what was planted into ``plan``."""
    rng = random.Random(seed)
    written = 0
    used_birth: dict[tuple[str, dt.date], int] = {}
    first_day = dt.date(2013, 9, 1)
    while written < plan.rows:
        size = min(rng.randint(20, 60), plan.rows - written)
        institution = rng.choice(INSTITUTIONS)
        occupation = rng.choice(OCCUPATIONS)
        start = first_day + dt.timedelta(days=rng.randint(0, 480))
        approved = start - dt.timedelta(days=rng.randint(3, 15))
        end = start + dt.timedelta(days=rng.randint(10, 60))
        category = rng.choice(CATEGORIES)
        kind = "创业培训" if category == "创业培训" else "就业技能培训"
        inspections = rng.randint(3, 6)
        if rng.random() < 0.005:  # a class inspected too rarely: a warning on each of its rows
            inspections = 2
            plan.warned_classes += 1
        previous: list[object] | None = None
        for _ in range(size):
            place = rng.choice(list(PLACES))
            male = rng.random() < 0.5
            birth = dt.date(rng.randint(1965, 1996), rng.randint(1, 12), rng.randint(1, 28))
            key = (place, birth)
            serial = used_birth.get(key, 0)
            used_birth[key] = serial + 1
            number = identity(PLACES[place], birth, male, serial)
            name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.randint(1, 2)))
            phone = f"1{rng.choice('3578')}{rng.randint(0, 9)}{rng.randint(0, 99999999):08d}"
            outcome: str | None = "合格"
            certificate: str | None = f"1341{rng.randint(0, 999999999999):012d}"
            if rng.random() < 0.08:
                outcome = certificate = None  # appraisal pending
            attendance = round(rng.uniform(0.75, 1.0), 2)
            row: list[object] = [
                name,
                "男" if male else "女",
                number,
                phone,
                rng.choice(GROUPS),
                category,
                kind,
                occupation,
                rng.choice(("初级工", "中级工", "专项能力")),
                institution,
                place,
                approved,
                start,
                end,
                attendance,
                inspections,
                outcome,
                certificate,
                rng.choice(("本人领取", "委托培训机构")),
            ]
            if rng.random() < error_rate:
                plan.planted_rows += 1
                plant_error(rng, row, previous)
            previous = row
            yield row
            written += 1


# The workbook is written as SpreadsheetML directly (shared strings, a dimension, a date and
# a percent style), as Excel writes it: openpyxl's write-only mode needs about an hour of a
# busy core for a million rows, this a few minutes.
_STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts>
<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>
<fills count="2"><fill><patternFill patternType="none"/></fill>\
<fill><patternFill patternType="gray125"/></fill></fills>
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>\
<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
<xf numFmtId="9" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>
</styleSheet>"""
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
        'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.styles+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.'
        'openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
    ),
    "_rels/.rels": (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{_RELS}">'
        f'<Relationship Id="rId1" Type="{_DOC}/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"
    ),
    "xl/workbook.xml": (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="{_MAIN}" '
        f'xmlns:r="{_DOC}"><sheets><sheet name="学员花名册" sheetId="1" r:id="rId1"/></sheets>'
        "</workbook>"
    ),
    "xl/_rels/workbook.xml.rels": (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{_RELS}">'
        f'<Relationship Id="rId1" Type="{_DOC}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{_DOC}/styles" Target="styles.xml"/>'
        f'<Relationship Id="rId3" Type="{_DOC}/sharedStrings" Target="sharedStrings.xml"/>'
        "</Relationships>"
    ),
    "xl/styles.xml": _STYLES,
}
_LETTERS = [chr(ord("A") + n) for n in range(len(COLUMNS))]
_EPOCH = dt.date(1899, 12, 30)


def _xml_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def write_roster(path: Path, rows: int, seed: int = 2013, error_rate: float = 0.01) -> Plan:
    """Write the roster of :func:`roster_rows` (a title row, then the header) to ``path``."""
    import zipfile

    plan = Plan(rows=rows, planted_rows=0, warned_classes=0)
    strings: dict[str, int] = {}

    def cell(ref: str, value: object) -> str:
        if value is None:
            return ""
        if isinstance(value, str):
            index = strings.setdefault(value, len(strings))
            return f'<c r="{ref}" t="s"><v>{index}</v></c>'
        if isinstance(value, dt.date):
            return f'<c r="{ref}" s="1"><v>{(value - _EPOCH).days}</v></c>'
        if isinstance(value, float):  # 到课率, a percent cell
            return f'<c r="{ref}" s="2"><v>{value!r}</v></c>'
        return f'<c r="{ref}"><v>{value}</v></c>'

    def line(number: int, values: list[object]) -> str:
        cells = "".join(cell(f"{_LETTERS[n]}{number}", v) for n, v in enumerate(values))
        return f'<row r="{number}">{cells}</row>'

    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as book:
        for name, text in _PARTS.items():
            book.writestr(name, text)
        with book.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(
                f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet '
                f'xmlns="{_MAIN}"><dimension ref="A1:{_LETTERS[-1]}{rows + 2}"/><sheetData>'.encode()
            )
            head = [line(1, ["许昌市技能振兴专项活动培训学员花名册"]), line(2, list(COLUMNS))]
            sheet.write("".join(head).encode())
            chunk: list[str] = []
            for number, values in enumerate(roster_rows(plan, seed, error_rate), start=3):
                chunk.append(line(number, values))
                if len(chunk) == 2000:
                    sheet.write("".join(chunk).encode())
                    chunk = []
            sheet.write(("".join(chunk) + "</sheetData></worksheet>").encode())
        with book.open("xl/sharedStrings.xml", "w", force_zip64=True) as shared:
            shared.write(
                f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="{_MAIN}" '
                f'count="{len(strings)}" uniqueCount="{len(strings)}">'.encode()
            )
            texts = [f"<si><t>{_xml_text(text)}</t></si>" for text in strings]
            for start in range(0, len(texts), 10_000):
                shared.write("".join(texts[start : start + 10_000]).encode())
            shared.write(b"</sst>")
    return plan


def plant_error(rng: random.Random, row: list[object], previous: list[object] | None) -> None:
    """Change ``row`` in place so that one rule reports an error on it."""
    choice = rng.randrange(10)
    number = str(row[2])
    if choice == 0:  # identity: wrong check character
        wrong = [c for c in "0123456789X" if c != number[17]]
        row[2] = number[:17] + rng.choice(wrong)
    elif choice == 1:  # identity: 性别 disagrees with the number
        row[1] = "女" if row[1] == "男" else "男"
    elif choice == 2 and previous is not None:  # duplicate-person: same person, same class
        row[:3] = previous[:3]
    elif choice == 3:  # attendance below 60%
        row[14] = round(rng.uniform(0.3, 0.59), 2)
    elif choice == 4:  # class-approved: approved after the class opened
        assert isinstance(row[12], dt.date)
        row[11] = row[12] + dt.timedelta(days=rng.randint(1, 10))
    elif choice == 5:  # subsidy-group: employees get no training subsidy here
        row[4] = "企业职工"
    elif choice == 6:  # training-category: a near miss of a listed category
        row[5] = f"{row[5]}班"
    elif choice == 7:  # certificate: passed but no certificate number
        row[16], row[17] = "合格", None
    elif choice == 8:  # certificate: failed the appraisal
        row[16], row[17] = "不合格", None
    else:  # attendance typed as 85 instead of 85% (a cell problem)
        row[14] = str(rng.randint(70, 99))


def ensure_roster(
    workdir: Path, rows: int, regenerate: bool, error_rate: float = 0.01
) -> tuple[Path, dict[str, object]]:
    """The cached roster for ``rows`` rows, written first when missing (or asked to)."""
    workdir.mkdir(parents=True, exist_ok=True)
    every = "-all-errors" if error_rate >= 1 else ""
    path = workdir / f"roster-{PROGRAM}-{rows}{every}-v{FORMAT_VERSION}.xlsx"
    meta_path = path.with_suffix(".json")
    if path.exists() and meta_path.exists() and not regenerate:
        return path, json.loads(meta_path.read_text(encoding="utf-8"))
    print(f"generating {rows:,} rows into {path} ...", file=sys.stderr, flush=True)
    began = time.perf_counter()
    partial = path.with_suffix(".partial.xlsx")
    plan = write_roster(partial, rows, error_rate=error_rate)
    partial.replace(path)
    meta: dict[str, object] = {
        "rows": plan.rows,
        "planted_rows": plan.planted_rows,
        "warned_classes": plan.warned_classes,
        "seconds": round(time.perf_counter() - began, 1),
    }
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    print(f"  done in {meta['seconds']} s", file=sys.stderr, flush=True)
    return path, meta


# --------------------------------------------------------------------------- measuring


@dataclass
class Measure:
    seconds: float  # best wall time
    cpu: float  # best user + system CPU time (steadier than wall on a busy machine)
    peak_mb: float  # largest peak RSS
    code: int = 0  # the exit code (the same in every run)


def gnu_time() -> str | None:
    """Path of GNU time when it is installed and understands -f/-o."""
    found = shutil.which("time")
    if found is None:
        return None
    with tempfile.NamedTemporaryFile() as out:
        probe = subprocess.run(
            [found, "-f", "%M", "-o", out.name, "true"], capture_output=True, check=False
        )
        return found if probe.returncode == 0 else None


def child_env() -> dict[str, str]:
    """The environment of every measured process: bytecode is read and written as an
    installed wheel has it (a developer's PYTHONDONTWRITEBYTECODE would recompile the
    package at every start), and the machine's settings otherwise."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run_once(
    command: list[str],
    cwd: Path,
    timer: str | None,
    ok_codes: tuple[int, ...],
    output: Path | None = None,
) -> tuple[float, float, float, int]:
    """Wall s, CPU s, peak RSS (MB) and exit code of one fresh process; its stdout goes to
    ``output`` (or /dev/null)."""
    with (
        tempfile.NamedTemporaryFile(mode="r") as report,
        tempfile.TemporaryFile() as errors,
        output.open("wb") if output is not None else Path(os.devnull).open("wb") as sink,
    ):
        wrapped = [timer, "-f", "%U %S %M", "-o", report.name, *command] if timer else command
        began = time.perf_counter()
        child = subprocess.Popen(wrapped, cwd=cwd, stdout=sink, stderr=errors, env=child_env())
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - began
        code = os.waitstatus_to_exitcode(status)
        if code not in ok_codes:
            errors.seek(0)
            message = errors.read().decode(errors="replace")
            raise SystemExit(f"{' '.join(command)} exited {code}:\n{message}")
        if timer:  # GNU time's figures are the measured command's alone
            user, system, kilobytes = report.read().splitlines()[-1].split()
            cpu, peak = float(user) + float(system), int(kilobytes)
        else:  # the child is the command itself
            cpu, peak = usage.ru_utime + usage.ru_stime, usage.ru_maxrss
    return seconds, cpu, peak / 1024, code


def measure(
    command: list[str],
    cwd: Path,
    repeat: int,
    timer: str | None,
    ok_codes: tuple[int, ...] = (0,),
    output: Path | None = None,
) -> Measure:
    """``repeat`` fresh runs; the first one's stdout kept in ``output`` when given."""
    runs = [
        run_once(command, cwd, timer, ok_codes, output if n == 0 else None) for n in range(repeat)
    ]
    return Measure(
        seconds=min(r[0] for r in runs),
        cpu=min(r[1] for r in runs),
        peak_mb=max(r[2] for r in runs),
        code=runs[0][3],
    )


def skillpolicy_command() -> list[str]:
    """The installed console script, preferring the one beside this interpreter (no shims)."""
    beside = Path(sys.executable).parent / "skillpolicy"
    if beside.is_file():
        return [str(beside)]
    found = shutil.which("skillpolicy")
    if found is not None:
        return [found]
    code = "import sys; from skillpolicy.cli import main; sys.argv[0] = 'skillpolicy'; main()"
    return [sys.executable, "-c", code]


def compile_package() -> None:
    """Write the package's bytecode once, as installing a wheel does."""
    import compileall
    import importlib.util

    spec = importlib.util.find_spec("skillpolicy")
    folders = list(spec.submodule_search_locations or []) if spec is not None else []
    for folder in folders:
        compileall.compile_dir(folder, quiet=1)


def validate_args(path: Path) -> list[str]:
    return ["validate", str(path), "--program", PROGRAM, "--format", "json"]


def polars_available() -> str | None:
    """polars and fastexcel versions when both are importable (the second floor), else None."""
    try:
        import fastexcel  # type: ignore[import-not-found,unused-ignore]
        import polars  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return None
    return f"polars {polars.__version__}, fastexcel {fastexcel.__version__}"


def counts_of(output: Path) -> dict[str, int]:
    """Rows and findings by severity from validate's JSON."""
    payload = json.loads(output.read_text(encoding="utf-8"))
    counts = {"rows": payload["rows"], "valid_rows": payload["valid_rows"]}
    for finding in payload["findings"]:
        counts[finding["severity"]] = counts.get(finding["severity"], 0) + 1
    return counts


@dataclass
class Size:
    """Everything measured for one roster size."""

    rows: int
    path: Path
    meta: dict[str, object]
    bare: Measure
    polars: Measure | None
    validate: Measure
    annotate: Measure | None
    counts: dict[str, int]
    copy_mb: float = 0.0

    @property
    def accepted(self) -> bool:
        return self.validate.code in (0, 1)


def measure_size(
    rows: int,
    workdir: Path,
    repeat: int,
    timer: str | None,
    regenerate: bool,
    with_polars: bool,
    with_annotate: bool,
) -> Size:
    """Generate (or reuse) the roster of ``rows`` rows and measure it every way."""
    path, meta = ensure_roster(workdir, rows, regenerate)
    python, skillpolicy = sys.executable, skillpolicy_command()
    print(f"measuring {rows:,} rows ...", file=sys.stderr, flush=True)
    bare = measure([python, "-c", BARE_ITER, str(path)], workdir, repeat, timer)
    floor = None
    if with_polars:
        floor = measure([python, "-c", POLARS_READ, str(path)], workdir, repeat, timer)
    output = workdir / f"validate-{rows}.json"
    validate = measure(
        [*skillpolicy, *validate_args(path)], workdir, repeat, timer, (0, 1, 2), output
    )
    size = Size(rows, path, meta, bare, floor, validate, None, {})
    if not size.accepted:
        return size
    size.counts = counts_of(output)
    if with_annotate:
        marked = workdir / f"annotated-{rows}.xlsx"
        command = [*skillpolicy, *validate_args(path), "--annotate", str(marked), "--force"]
        size.annotate = measure(command, workdir, repeat, timer, (0, 1))
        size.copy_mb = marked.stat().st_size / (1024 * 1024)
    return size


# --------------------------------------------------------------------------- reporting


def verdict(ratio: float, target: float) -> str:
    return "PASS" if ratio <= target else "FAIL"


def per_row_us(size: Size, version: Measure) -> float:
    """validate's time per row in microseconds, the interpreter start and imports taken off."""
    return (size.validate.seconds - version.seconds) / size.rows * 1e6


def machine_line() -> str:
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"{os.cpu_count()} cores, load average {load}, {when}"


def print_size(size: Size, version: Measure, repeat: int, timer: str | None) -> None:
    """One size: the roster, the measures, the ratios against both floors with verdicts."""
    print(f"\n=== {size.rows:,} rows: {size.path.name} ({size.path.stat().st_size / 2**20:.1f} MB)")
    if not size.accepted:
        print(f"skillpolicy validate exited {size.validate.code}: the roster was REFUSED  FAIL")
        return
    findings = ", ".join(f"{size.counts.get(s, 0):,} {s}" for s in ("error", "warning", "review"))
    print(f"rows            {size.counts['rows']:,} ({size.counts['valid_rows']:,} without errors)")
    print(
        f"planted         {size.meta['planted_rows']:,} rows, {size.meta['warned_classes']} classes"
    )
    print(f"findings        {findings}")
    how = "GNU time %M" if timer else "os.wait4 ru_maxrss"
    print(
        f"method          {repeat} fresh processes each: best wall, best cpu, max peak RSS ({how})"
    )
    print(f"{'':40}{'wall s':>8}{'cpu s':>8}{'peak MB':>9}")
    items: list[tuple[str, Measure | None]] = [
        ("bare calamine iter_rows()", size.bare),
        ("polars.read_excel (fastexcel)", size.polars),
        ("skillpolicy validate --format json", size.validate),
        ("skillpolicy validate --annotate", size.annotate),
    ]
    for label, item in items:
        if item is None:
            print(f"{label:40}{'not installed' if 'polars' in label else 'not measured':>25}")
        else:
            print(f"{label:40}{item.seconds:8.2f}{item.cpu:8.2f}{item.peak_mb:9.1f}")
    print(f"accepted        yes (exit {size.validate.code})  PASS")
    print(f"time per row    {per_row_us(size, version):.1f} µs (validate less --version)")
    floors: list[tuple[str, Measure | None]] = [
        ("bare calamine iter_rows", size.bare),
        ("polars.read_excel", size.polars),
    ]
    for name, floor in floors:
        if floor is None:
            print(f"validate / {name}: polars or fastexcel not installed")
            continue
        time_ratio = size.validate.seconds / floor.seconds
        memory_ratio = size.validate.peak_mb / floor.peak_mb
        print(
            f"validate / {name}: time {time_ratio:.2f}x (<= {TIME_TARGET}x) "
            f"{verdict(time_ratio, TIME_TARGET)} [cpu {size.validate.cpu / floor.cpu:.2f}x], "
            f"memory {memory_ratio:.2f}x (<= {MEMORY_TARGET}x) {verdict(memory_ratio, MEMORY_TARGET)}"
        )
    if size.annotate is not None:
        time_ratio = size.annotate.seconds / size.validate.seconds
        memory_ratio = size.annotate.peak_mb / size.validate.peak_mb
        print(
            f"validate --annotate / validate: time {time_ratio:.2f}x (<= {ANNOTATE_TIME_TARGET}x) "
            f"{verdict(time_ratio, ANNOTATE_TIME_TARGET)}, memory {memory_ratio:.2f}x "
            f"(<= {ANNOTATE_MEMORY_TARGET}x) {verdict(memory_ratio, ANNOTATE_MEMORY_TARGET)}"
            f"  (the copy: {size.copy_mb:.1f} MB)"
        )


def print_startup(startup: dict[str, Measure]) -> None:
    python, version = startup["python"], startup["version"]
    print(f"{'':40}{'wall s':>8}{'cpu s':>8}{'peak MB':>9}")
    for label, item in (
        ("python -c pass", python),
        ("skillpolicy --version", version),
        ("skillpolicy --help (every command built)", startup["help"]),
    ):
        print(f"{label:40}{item.seconds:8.2f}{item.cpu:8.2f}{item.peak_mb:9.1f}")
    print(
        f"start-up: skillpolicy --version {version.seconds:.2f} s (<= {STARTUP_TARGET} s) "
        f"{verdict(version.seconds, STARTUP_TARGET)} [cpu {version.cpu:.2f} s], "
        f"{version.seconds / python.seconds:.1f}x python -c pass"
    )


def print_flatness(sizes: list[Size], version: Measure) -> None:
    accepted = [s for s in sizes if s.accepted]
    if len(accepted) < 2:
        return
    first, last = accepted[0], accepted[-1]
    ratio = per_row_us(last, version) / per_row_us(first, version)
    shown = ", ".join(f"{s.rows:,}: {per_row_us(s, version):.1f} µs" for s in accepted)
    print(
        f"time per row {shown}; {last.rows:,} / {first.rows:,} = {ratio:.2f}x "
        f"(flat: <= {FLAT_TARGET}x) {verdict(ratio, FLAT_TARGET)}"
    )


def _cell(item: Measure | None, floor: Measure | None = None) -> str:
    if item is None:
        return "not installed"
    text = f"{item.seconds:.2f} s, {item.peak_mb:.0f} MB"
    if floor is not None:
        text += f" ({item.seconds / floor.seconds:.2f}× / {item.peak_mb / floor.peak_mb:.2f}×)"
    return text


def measure_table(
    rows: int, workdir: Path, repeat: int, timer: str | None, regenerate: bool
) -> None:
    """A roster with an error planted in every row: validate's table (stdout a file, as in a
    pipe, 160 columns) against --format json of the same; the table stops after --max-rows
    findings (200) with a summary by rule, so it should cost no more than the JSON."""
    path, _ = ensure_roster(workdir, rows, regenerate, error_rate=1.0)
    skillpolicy = skillpolicy_command()
    table_out = workdir / f"table-{rows}.txt"
    table = measure(
        [*skillpolicy, "validate", str(path), "--program", PROGRAM],
        workdir, repeat, timer, (0, 1), table_out,
    )  # fmt: skip
    whole = measure([*skillpolicy, *validate_args(path)], workdir, repeat, timer, (0, 1))
    text = table_out.read_text(encoding="utf-8")
    cut = "以上仅列出前" in text and "问题按规则汇总" in text
    print(
        f"\n=== terminal table, {rows:,} rows all with errors: table {table.seconds:.2f} s "
        f"[cpu {table.cpu:.2f} s] / {table.peak_mb:.0f} MB ({text.count(chr(10)):,} lines), "
        f"--format json {whole.seconds:.2f} s [cpu {whole.cpu:.2f} s] / {whole.peak_mb:.0f} MB: "
        f"{table.seconds / whole.seconds:.2f}x; stops with a summary by rule: "
        f"{'PASS' if cut else 'FAIL'}"
    )


def print_markdown(sizes: list[Size], startup: dict[str, Measure]) -> None:
    """The README's table: one row per size; ratios are against the bare calamine parse,
    and validate --annotate's against validate."""
    print(
        "\n| rows | bare calamine `iter_rows` | `polars.read_excel` | `validate` (× calamine / "
        "× polars, time) | `validate --annotate` (× validate) | µs per row |"
    )
    print("|---|---|---|---|---|---|")
    version = startup["version"]
    for size in sizes:
        if not size.accepted:
            print(
                f"| {size.rows:,} | {_cell(size.bare)} | {_cell(size.polars)} | refused | — | — |"
            )
            continue
        ratios = f"{size.validate.seconds / size.bare.seconds:.2f}×"
        if size.polars is not None:
            ratios += f" / {size.validate.seconds / size.polars.seconds:.2f}×"
        print(
            f"| {size.rows:,} | {_cell(size.bare)} | {_cell(size.polars)} | "
            f"{_cell(size.validate)} ({ratios}) | {_cell(size.annotate, size.validate)} | "
            f"{per_row_us(size, version):.1f} |"
        )


def profile(path: Path, cwd: Path, top: int = 25) -> None:
    """cProfile the whole CLI validate in this process; print top functions both ways."""
    from skillpolicy.cli import main

    argv = sys.argv
    profiler = cProfile.Profile()
    sys.argv = ["skillpolicy", *validate_args(path)]
    began = time.perf_counter()
    try:
        with (
            Path(os.devnull).open("w") as sink,
            contextlib.redirect_stdout(sink),
            contextlib.chdir(cwd),
        ):
            profiler.enable()
            try:
                main()
            except SystemExit:
                pass
            finally:
                profiler.disable()
    finally:
        sys.argv = argv
    print(f"\ncProfile of skillpolicy validate ({time.perf_counter() - began:.2f} s under profile)")
    for order in ("cumulative", "tottime"):
        buffer = io.StringIO()
        stats = pstats.Stats(profiler, stream=buffer).strip_dirs().sort_stats(order)
        stats.print_stats(top)
        body = buffer.getvalue()
        start = body.find("   ncalls")
        print(f"\n--- top {top} by {order} ---")
        print(body[start:].rstrip() if start >= 0 else body.rstrip())
    print_stages(pstats.Stats(profiler))


def _code_key(dotted: str) -> tuple[str, int, str] | None:
    """The pstats key of a function named ``module:Qual.name``, None when it is gone."""
    module_name, _, qualname = dotted.partition(":")
    try:
        target: object = importlib.import_module(module_name)
        for part in qualname.split("."):
            target = getattr(target, part)
        code = target.__code__  # type: ignore[attr-defined]
    except (ImportError, AttributeError):
        return None
    return (code.co_filename, code.co_firstlineno, code.co_name)


def print_stages(stats: pstats.Stats) -> None:
    """Cumulative profiled time of the pipeline's stages and of each rule's check/finish."""
    from skillpolicy.rules import Kind, Rule, kind_class, known_kinds, known_rule_ids, rule_class

    before = {
        "skillpolicy.io.sheet:SheetReader.__init__": "open: sniff, calamine parse, header",
        "skillpolicy.io.sheet:SheetReader.batches": "SheetReader.batches (columns)",
        "skillpolicy.check.validate:Checker.check_batch": "Checker.check_batch (all rules):",
    }
    after = {
        "skillpolicy.check.validate:row_label": "row_label (rows with findings)",
        "skillpolicy.check.validate:Report.to_json": "Report.to_json",
        "skillpolicy.cli.common:print_json": "print_json",
    }
    rules: dict[str, str] = {}
    for rule_id in sorted(known_rule_ids()):
        cls = rule_class(rule_id)
        for method in ("check", "finish"):
            if getattr(cls, method) is not getattr(Rule, method):
                rules[f"{cls.__module__}:{cls.__qualname__}.{method}"] = (
                    f"  {cls.__qualname__}.{method}"
                )
    for name in sorted(known_kinds()):
        kind = kind_class(name)
        if kind.flag is not Kind.flag:
            rules[f"{kind.__module__}:{kind.__qualname__}.flag"] = f"  kind {name}"
    labels = {
        key: label
        for dotted, label in (before | rules | after).items()
        if (key := _code_key(dotted))
    }
    total = stats.total_tt  # type: ignore[attr-defined]
    raw = stats.stats  # type: ignore[attr-defined]
    print(f"\n--- stages and rules (cumulative, of {total:.2f} s profiled) ---")
    print(f"{'':42}{'calls':>9}{'cum s':>9}{'share':>8}")
    for key, label in labels.items():
        if key in raw:
            _, calls, _, cumulative, _ = raw[key]
            print(f"{label:42}{calls:9d}{cumulative:9.2f}{cumulative / total:8.1%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, default=Path("bench-out"), help="cache directory")
    parser.add_argument(
        "--sizes",
        default=",".join(str(n) for n in DEFAULT_SIZES),
        help="roster sizes in rows, comma-separated (default 10000,100000,1000000)",
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (default 3)")
    parser.add_argument("--regenerate", action="store_true", help="rewrite the cached rosters")
    parser.add_argument("--no-annotate", action="store_true", help="skip validate --annotate")
    parser.add_argument("--markdown", action="store_true", help="end with the README's table")
    parser.add_argument(
        "--table-rows",
        type=int,
        default=0,
        help="also time the table of a roster this long with an error in every row (e.g. 50000)",
    )
    parser.add_argument(
        "--profile", action="store_true", help="also cProfile validate of the largest size"
    )
    args = parser.parse_args()
    try:
        sizes = sorted({int(part) for part in args.sizes.split(",") if part.strip()})
    except ValueError:
        parser.error("--sizes takes row counts separated by commas, e.g. 10000,100000")
    if not sizes or min(sizes) < 1 or args.repeat < 1:
        parser.error("--sizes and --repeat must be at least 1")

    workdir = args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    timer = gnu_time()
    compile_package()
    floor = polars_available()
    print(f"machine         {machine_line()} (start)")
    print(f"python          {sys.version.split()[0]}; second floor: {floor or 'not installed'}")
    python = sys.executable
    startup = {
        "python": measure([python, "-c", "pass"], workdir, max(args.repeat, 3), timer),
        "version": measure(
            [*skillpolicy_command(), "--version"], workdir, max(args.repeat, 3), timer
        ),
        "help": measure([*skillpolicy_command(), "--help"], workdir, max(args.repeat, 3), timer),
    }
    print_startup(startup)
    measured = []
    for rows in sizes:
        size = measure_size(
            rows, workdir, args.repeat, timer, args.regenerate, floor is not None,
            not args.no_annotate,
        )  # fmt: skip
        print_size(size, startup["version"], args.repeat, timer)
        measured.append(size)
    if args.table_rows > 0:
        measure_table(args.table_rows, workdir, args.repeat, timer, args.regenerate)
    print()
    print_flatness(measured, startup["version"])
    print(f"machine         {machine_line()} (end)")
    if args.markdown:
        print_markdown(measured, startup)
    if args.profile:
        profile(measured[-1].path, workdir)


if __name__ == "__main__":
    main()
