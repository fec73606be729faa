"""Days off as data (issue 14): sql/0025_public_holidays.sql, printed by scripts/holidays.py. The
working-day functions across Tết, 30/4-1/5, 2/9 and a nghỉ bù, at their edges, and against a
day-by-day count; every year 2024-2040 holding its days off by the migration's rules; and the
committed migration being exactly what the script prints. Read-only: the suite shares the table."""
import datetime
import importlib.util
import os
import subprocess

import pytest

from conftest import ROOT

SCRIPT = os.path.join(ROOT, "scripts", "holidays.py")
MIGRATION = os.path.join(ROOT, "sql", "0025_public_holidays.sql")
YEARS = range(2024, 2041)

ADD = [
    # start, n, the n-th working day after start, why
    ("2026-12-07", 10, "2026-12-21", "two plain weeks from a Monday"),
    ("2026-02-10", 10, "2026-03-03", "Tết Bính Ngọ: 29 tháng Chạp to mùng 4 (16-20/2) and two weekends"),
    ("2026-02-13", 1, "2026-02-23", "the Friday before Tết: the next working day is after it"),
    ("2026-04-29", 1, "2026-05-04", "30/4 Thursday, 1/5 Friday, then the weekend"),
    ("2026-04-24", 1, "2026-04-28", "Giỗ Tổ on Sunday 26/4: nghỉ bù Monday 27/4"),
    ("2026-08-31", 1, "2026-09-03", "2/9 a Wednesday: the day beside it is 1/9"),
    ("2028-08-31", 1, "2028-09-05", "1/9 Friday, 2/9 Saturday, nghỉ bù Monday 4/9"),
    ("2029-08-31", 1, "2029-09-05", "2/9 Sunday: 3/9 Monday beside it, nghỉ bù Tuesday 4/9"),
    ("2033-04-29", 1, "2033-05-04", "30/4 Saturday, 1/5 Sunday: nghỉ bù Monday 2/5 and Tuesday 3/5"),
    ("2030-02-01", 1, "2030-02-08", "Tết Canh Tuất 2/2 (Vietnam, UTC+7; China's is 3/2) on a weekend"),
    ("2025-12-31", 1, "2026-01-02", "1/1"),
    ("2026-12-07", 0, "2026-12-07", "n = 0: start itself"),
    ("2026-02-15", 0, "2026-02-15", "n = 0 even on a day off"),
    ("2026-01-01", 365, "2027-06-23", "the largest n"),
]

BETWEEN = [
    # a, b, working days d with a < d <= b
    ("2026-02-10", "2026-03-03", 10),
    ("2026-02-13", "2026-02-23", 1),
    ("2026-02-13", "2026-02-22", 0),
    ("2026-12-06", "2026-12-07", 1),   # b counted
    ("2026-12-07", "2026-12-08", 1),   # a not
    ("2026-12-07", "2026-12-07", 0),
    ("2026-12-21", "2026-12-07", 0),   # b before a
    ("2025-12-31", "2026-12-31", 250),  # 261 weekdays less 11 days off on weekdays
    ("2023-12-31", "2040-12-31", 4249),
]


def script(*args):
    return subprocess.run(["/usr/bin/python3", SCRIPT, *args], capture_output=True, text=True)


def load_script():
    spec = importlib.util.spec_from_file_location("holidays", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("start,n,want,why", ADD)
def test_add_working_days(server, start, n, want, why):
    assert server.sql(f"SELECT tdkt_add_working_days('{start}', {n})") == want, why


@pytest.mark.parametrize("a,b,want", BETWEEN)
def test_working_days_between(server, a, b, want):
    assert server.sql(f"SELECT tdkt_working_days_between('{a}', '{b}')") == str(want)


@pytest.mark.parametrize("n", [-1, 366])
def test_add_working_days_refuses_n_out_of_range(server, n):
    """22003, which the service answers as 422; anything else (or no error) fails the block"""
    server.sql("DO $$ BEGIN PERFORM tdkt_add_working_days('2026-01-01', %d); RAISE EXCEPTION 'no error'; "
               "EXCEPTION WHEN numeric_value_out_of_range THEN NULL; END $$" % n)


def test_null_in_null_out(server):
    assert server.sql("SELECT coalesce(tdkt_add_working_days(NULL, 1)::text, 'null'), "
                      "coalesce(tdkt_working_days_between('2026-01-01', NULL)::text, 'null'), "
                      "coalesce(tdkt_is_working_day(NULL)::text, 'null')") == "null|null|null"


def test_functions_agree_with_a_day_by_day_count(server):
    """between against counting tdkt_is_working_day day by day, over spans around every day off;
    add's answer a working day, n of them after start"""
    assert server.sql("""
        SELECT count(*) FROM public_holidays h, generate_series(-9, 9) da, generate_series(-1, 25, 2) len
         WHERE tdkt_working_days_between(h.day + da, h.day + da + len)
            <> (SELECT count(*) FROM generate_series(1, greatest(len, 0)) i WHERE tdkt_is_working_day(h.day + da + i))""") == "0"
    assert server.sql("""
        SELECT count(*) FROM generate_series(date '2026-01-01', date '2026-12-31', interval '1 day') s(d),
               unnest(array[1, 2, 5, 10, 30]) n
         WHERE tdkt_working_days_between(d::date, tdkt_add_working_days(d::date, n)) <> n
            OR NOT tdkt_is_working_day(tdkt_add_working_days(d::date, n))""") == "0"


def test_every_year_holds_its_days_off(server):
    """per year: 5 Tết days in a row from the last day of the lunar year, one Giỗ Tổ, the fixed
    days, one day beside 2/9, as many nghỉ bù as days off on weekends, each on a weekday"""
    rows = server.sql("""
        SELECT extract(year FROM day)::int,
               count(*) FILTER (WHERE kind = 'tet'),
               max(day) FILTER (WHERE kind = 'tet') - min(day) FILTER (WHERE kind = 'tet'),
               min(day) FILTER (WHERE name = 'Tết Âm lịch: mùng 1 tháng Giêng'),
               count(*) FILTER (WHERE name LIKE 'Giỗ Tổ%'),
               count(*) FILTER (WHERE kind = 'holiday' AND to_char(day, 'MM-DD') IN ('01-01', '04-30', '05-01', '09-02')),
               count(*) FILTER (WHERE name LIKE 'Quốc khánh: ngày liền kề%' AND to_char(day, 'MM-DD') IN ('09-01', '09-03')),
               count(*) FILTER (WHERE kind <> 'compensatory' AND extract(isodow FROM day) >= 6),
               count(*) FILTER (WHERE kind = 'compensatory'),
               count(*) FILTER (WHERE kind = 'compensatory' AND extract(isodow FROM day) >= 6),
               count(*) FILTER (WHERE source <> 'computed')
          FROM public_holidays GROUP BY 1 ORDER BY 1""").splitlines()
    known = load_script().KNOWN
    assert [int(r.split("|")[0]) for r in rows] == list(YEARS)
    for r in rows:
        year, tet, tet_span, tet_day, gio_to, fixed, beside, on_weekend, comp, comp_on_weekend, announced = r.split("|")
        assert (tet, tet_span, gio_to, fixed, beside) == ("5", "4", "1", "4", "1"), r
        assert comp == on_weekend and comp_on_weekend == "0" and announced == "0", r
        if ("tet", int(year)) in known:
            assert tet_day == known[("tet", int(year))].isoformat(), r


def test_the_service_reads_them(server):
    assert int(server.sql_as_service("SELECT count(*) FROM public_holidays")) > 17 * 10
    assert server.sql_as_service("SELECT tdkt_add_working_days('2026-02-13', 1)") == "2026-02-23"


def test_the_script_prints_the_committed_migration():
    """the migration is generated: regenerate with the command its first line names"""
    first = open(MIGRATION, encoding="utf-8").readline()
    assert "`scripts/holidays.py 2024 2040`" in first
    out = script("2024", "2040")
    assert out.returncode == 0, out.stderr
    assert out.stdout == open(MIGRATION, encoding="utf-8").read(), "scripts/holidays.py 2024 2040 differs from sql/0025"


def test_the_script_extends_to_later_years():
    out = script("--rows", "2041", "2042")
    assert out.returncode == 0, out.stderr
    assert "CREATE" not in out.stdout and "`scripts/holidays.py --rows 2041 2042`" in out.stdout
    assert "('2041-02-01', 'Tết Âm lịch: mùng 1 tháng Giêng', 'tet', 'computed')" in out.stdout
    assert script("2040").returncode != 0 and script("2041", "2040").returncode != 0


def test_the_script_fails_loudly_on_a_wrong_known_date():
    holidays = load_script()
    holidays.check(YEARS)
    holidays.KNOWN[("tet", 2030)] = datetime.date(2030, 2, 3)   # China's, not Vietnam's
    with pytest.raises(SystemExit, match="tet 2030: computed 2030-02-02, known 2030-02-03"):
        holidays.check(YEARS)
    # a new moon within an hour of midnight that no known date pins is refused, not guessed
    del holidays.KNOWN[("tet", 2030)]
    with pytest.raises(SystemExit, match="tet 2030: its new moon is 23.1. h after local midnight"):
        holidays.check(YEARS)
