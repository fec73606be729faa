#!/usr/bin/python3
"""Vietnam's days off as data (issue 14): prints the migration that holds them.

    scripts/holidays.py 2024 2040 > sql/0025_public_holidays.sql
        the table, the working-day functions and the days off of 2024-2040 (regenerates 0025
        exactly; tests/api/test_working_days.py checks that it does)
    scripts/holidays.py --rows 2041 2060 > sql/00NN_public_holidays_2041_2060.sql
        the days off of later years alone, as a NEW migration: an applied one is never edited

Tết and Giỗ Tổ Hùng Vương follow the Vietnamese lunar calendar, computed by Hồ Ngọc Đức's
algorithm (new moons and the sun's longitude after Meeus, time zone UTC+7). It differs from the
Chinese calendar (UTC+8) when a new moon falls between 23:00 and midnight in Hà Nội: Tết 2030 is
2 February in Vietnam, 3 February in China. Every run first checks the algorithm against known
dates and stops, printing nothing, if one differs; a new moon computed within an hour of midnight
that no known date pins is refused too, until someone checks it in an almanac and adds it to KNOWN.
Python's standard library only: runs with /usr/bin/python3.
"""
import datetime
import math
import sys

TZ = 7  # Hà Nội, UTC+7

# Known dates. Tết 2024-2029, 2031 and Giỗ Tổ 2024-2026 are the published ones; Tết 2033 is the
# year of the "2033 problem" (the Chinese leap month), where Vietnam's calendar also gives 31/1.
# The others are close calls (a new moon within an hour of midnight in Hà Nội) pinned by Hồ Ngọc
# Đức's table of new moons 2000-2099 ("ngày giờ Sóc", UTC+7): 2030-02-02 23:07, 2033-03-31 00:51,
# 2037-04-15 23:07, 2038-04-04 23:42.
KNOWN = {
    ("tet", 2024): datetime.date(2024, 2, 10),
    ("tet", 2025): datetime.date(2025, 1, 29),
    ("tet", 2026): datetime.date(2026, 2, 17),
    ("tet", 2027): datetime.date(2027, 2, 6),
    ("tet", 2028): datetime.date(2028, 1, 26),
    ("tet", 2029): datetime.date(2029, 2, 13),
    ("tet", 2030): datetime.date(2030, 2, 2),
    ("tet", 2031): datetime.date(2031, 1, 23),
    ("tet", 2033): datetime.date(2033, 1, 31),
    ("gio_to", 2024): datetime.date(2024, 4, 18),
    ("gio_to", 2025): datetime.date(2025, 4, 7),
    ("gio_to", 2026): datetime.date(2026, 4, 26),
    ("gio_to", 2033): datetime.date(2033, 4, 9),
    ("gio_to", 2037): datetime.date(2037, 4, 24),
    ("gio_to", 2038): datetime.date(2038, 4, 13),
}
CLOSE_CALL_HOURS = 1.0

# --- the lunar calendar (Hồ Ngọc Đức, "Âm lịch Việt Nam", the published algorithm) ------------

def julian_day(d):
    return d.toordinal() + 1721425


def from_julian_day(jd):
    return datetime.date.fromordinal(jd - 1721425)


def new_moon(k):
    """Julian date (UT, fractional) of the k-th new moon after 1900-01-01 (Meeus, abridged)"""
    t = k / 1236.85
    t2, t3 = t * t, t * t * t
    dr = math.pi / 180
    jd1 = 2415020.75933 + 29.53058868 * k + 0.0001178 * t2 - 0.000000155 * t3
    jd1 += 0.00033 * math.sin((166.56 + 132.87 * t - 0.009173 * t2) * dr)
    m = 359.2242 + 29.10535608 * k - 0.0000333 * t2 - 0.00000347 * t3       # sun's mean anomaly
    mpr = 306.0253 + 385.81691806 * k + 0.0107306 * t2 + 0.00001236 * t3    # moon's mean anomaly
    f = 21.2964 + 390.67050646 * k - 0.0016528 * t2 - 0.00000239 * t3       # moon's argument of latitude
    c1 = (0.1734 - 0.000393 * t) * math.sin(m * dr) + 0.0021 * math.sin(2 * dr * m)
    c1 = c1 - 0.4068 * math.sin(mpr * dr) + 0.0161 * math.sin(dr * 2 * mpr)
    c1 = c1 - 0.0004 * math.sin(dr * 3 * mpr)
    c1 = c1 + 0.0104 * math.sin(dr * 2 * f) - 0.0051 * math.sin(dr * (m + mpr))
    c1 = c1 - 0.0074 * math.sin(dr * (m - mpr)) + 0.0004 * math.sin(dr * (2 * f + m))
    c1 = c1 - 0.0004 * math.sin(dr * (2 * f - m)) - 0.0006 * math.sin(dr * (2 * f + mpr))
    c1 = c1 + 0.0010 * math.sin(dr * (2 * f - mpr)) + 0.0005 * math.sin(dr * (2 * mpr + m))
    if t < -11:
        delta_t = 0.001 + 0.000839 * t + 0.0002261 * t2 - 0.00000845 * t3 - 0.000000081 * t * t3
    else:
        delta_t = -0.000278 + 0.000265 * t + 0.000262 * t2
    return jd1 + c1 - delta_t


def local_hours(k):
    """hours after local midnight of the day the k-th new moon falls on (UTC+7)"""
    x = new_moon(k) + 0.5 + TZ / 24
    return (x - math.floor(x)) * 24


def new_moon_day(k):
    """Julian day number of the local day of the k-th new moon: its lunar month's first day"""
    return math.floor(new_moon(k) + 0.5 + TZ / 24)


def sun_sector(jdn):
    """which 30-degree sector of the ecliptic the sun is in at local midnight starting day jdn:
    0 from the March equinox, 9 from the December solstice (Đông chí)"""
    t = (jdn - 0.5 - TZ / 24 - 2451545.0) / 36525
    t2 = t * t
    dr = math.pi / 180
    m = 357.52910 + 35999.05030 * t - 0.0001559 * t2 - 0.00000048 * t * t2
    l0 = 280.46645 + 36000.76983 * t + 0.0003032 * t2
    dl = (1.914600 - 0.004817 * t - 0.000014 * t2) * math.sin(dr * m)
    dl += (0.019993 - 0.000101 * t) * math.sin(dr * 2 * m) + 0.000290 * math.sin(dr * 3 * m)
    omega = 125.04 - 1934.136 * t
    lon = (l0 + dl - 0.00569 - 0.00478 * math.sin(omega * dr)) * dr
    lon -= math.pi * 2 * math.floor(lon / (math.pi * 2))
    return math.floor(lon / math.pi * 6)


def lunation_of(jdn):
    return math.floor((jdn - 2415021.076998695) / 29.530588853 + 0.5)


def month11_start(year):
    """first day of the 11th lunar month, the one holding the December solstice of `year`"""
    k = math.floor((julian_day(datetime.date(year, 12, 31)) - 2415021) / 29.530588853)
    day = new_moon_day(k)
    return new_moon_day(k - 1) if sun_sector(day) >= 9 else day


def leap_offset(a11):
    """in a 13-month year from month 11 at a11: the offset of the first month without a major
    solar term, the leap one"""
    k = lunation_of(a11)
    i, arc = 1, sun_sector(new_moon_day(k + 1))
    while True:
        last, i = arc, i + 1
        arc = sun_sector(new_moon_day(k + i))
        if arc == last or i >= 14:
            return i - 1


def lunation(day, month, year):
    """(k, first day) of the lunar month `month` (not a leap one) of lunar year `year`"""
    a11, b11 = (month11_start(year - 1), month11_start(year)) if month < 11 else \
               (month11_start(year), month11_start(year + 1))
    off = (month - 11) % 12
    if b11 - a11 > 365 and off >= leap_offset(a11):
        off += 1  # a leap month came before it
    k = lunation_of(a11) + off
    return k, new_moon_day(k)


def lunar_to_solar(day, month, year):
    return from_julian_day(lunation(day, month, year)[1] + day - 1)


# --- the days off ------------------------------------------------------------------------

CAN = ["Canh", "Tân", "Nhâm", "Quý", "Giáp", "Ất", "Bính", "Đinh", "Mậu", "Kỷ"]
CHI = ["Thân", "Dậu", "Tuất", "Hợi", "Tý", "Sửu", "Dần", "Mão", "Thìn", "Tỵ", "Ngọ", "Mùi"]
WEEKDAY = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
THU = ["thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật"]


def weekend(d):
    return d.weekday() >= 5


def ddmm(d):
    return f"{d.day}/{d.month}"


def days_off(year):
    """[(date, name, kind)] of `year` in date order, by the rules of the migration's header"""
    k_tet, tet_jd = lunation(1, 1, year)
    eve_jd = tet_jd - 1
    last_lunar_day = eve_jd - new_moon_day(k_tet - 1) + 1   # 29 or 30 tháng Chạp
    tet = from_julian_day(tet_jd)
    # (day, name, kind, what a nghỉ bù for it calls it)
    holidays = [(datetime.date(year, 1, 1), "Tết Dương lịch (1/1)", "holiday", "Tết Dương lịch"),
                (from_julian_day(eve_jd), f"Tết Âm lịch: {last_lunar_day} tháng Chạp", "tet",
                 f"Tết Âm lịch {last_lunar_day} tháng Chạp")]
    holidays += [(tet + datetime.timedelta(days=i), f"Tết Âm lịch: mùng {i + 1} tháng Giêng", "tet",
                  f"Tết Âm lịch mùng {i + 1}") for i in range(4)]
    holidays += [(lunar_to_solar(10, 3, year), "Giỗ Tổ Hùng Vương (10/3 âm lịch)", "holiday", "Giỗ Tổ Hùng Vương"),
                 (datetime.date(year, 4, 30), "Ngày Chiến thắng (30/4)", "holiday", "Ngày Chiến thắng"),
                 (datetime.date(year, 5, 1), "Ngày Quốc tế Lao động (1/5)", "holiday", "Ngày Quốc tế Lao động"),
                 (datetime.date(year, 9, 2), "Quốc khánh (2/9)", "holiday", "Quốc khánh")]
    before, after = datetime.date(year, 9, 1), datetime.date(year, 9, 3)
    # the day beside 2/9: a weekday; of two weekdays the one that joins the weekend (a Monday
    # 1/9 or a Friday 3/9); else (2/9 a Wednesday) 1/9, the law naming "trước" first
    beside = after if weekend(before) or after.weekday() == 4 else before
    holidays.append((beside, f"Quốc khánh: ngày liền kề ({ddmm(beside)})", "holiday", "Quốc khánh"))
    holidays.sort()
    taken = {}
    for d, name, _, _ in holidays:
        if d in taken:
            raise SystemExit(f"holidays.py: {year}: {name} and {taken[d]} fall on {d}: the law gives "
                             "no rule for that; decide and extend this script")
        taken[d] = name
    # nghỉ bù: a holiday on a Saturday or Sunday gives the next day that is neither a weekend
    # day, a holiday nor an earlier nghỉ bù, in date order
    rows = [(d, name, kind) for d, name, kind, _ in holidays]
    for d, _, _, short in holidays:
        if weekend(d):
            c = d + datetime.timedelta(days=1)
            while weekend(c) or c in taken:
                c += datetime.timedelta(days=1)
            taken[c] = "nghỉ bù"
            rows.append((c, f"Nghỉ bù {short} ({THU[d.weekday()]} {ddmm(d)})", "compensatory"))
    rows.sort()
    return rows


# --- the self-check ----------------------------------------------------------------------

def check(years):
    """stop with a message if the algorithm misses a known date, or if a year's Tết or Giỗ Tổ
    hangs on a new moon too close to midnight that no known date pins"""
    wrong = []
    for (what, year), want in sorted(KNOWN.items()):
        got = lunar_to_solar(1, 1, year) if what == "tet" else lunar_to_solar(10, 3, year)
        if got != want:
            wrong.append(f"{what} {year}: computed {got}, known {want}")
    for year in years:
        for what, month in (("tet", 1), ("gio_to", 3)):
            k = lunation(1, month, year)[0]
            h = local_hours(k)
            if min(h, 24 - h) < CLOSE_CALL_HOURS and (what, year) not in KNOWN:
                wrong.append(f"{what} {year}: its new moon is {h:.2f} h after local midnight; "
                             "check it in an almanac and add it to KNOWN")
        tet = lunar_to_solar(1, 1, year)
        if not datetime.date(year, 1, 21) <= tet <= datetime.date(year, 2, 20):
            wrong.append(f"tet {year}: {tet} is outside 21/1-20/2")
    if wrong:
        raise SystemExit("holidays.py: the lunar calendar fails its check:\n  " + "\n  ".join(wrong))


# --- the SQL -----------------------------------------------------------------------------

def sql_string(s):
    return "'" + s.replace("'", "''") + "'"


def rows_sql(first, last):
    out = []
    for year in range(first, last + 1):
        rows = days_off(year)
        tet = lunar_to_solar(1, 1, year)
        out.append(f"-- {year} ({CAN[year % 10]} {CHI[year % 12]}): Tết {ddmm(tet)}, "
                   f"Giỗ Tổ {ddmm(lunar_to_solar(10, 3, year))}")
        out.append("INSERT INTO public_holidays (day, name, kind, source) VALUES")
        for i, (d, name, kind) in enumerate(rows):
            end = ";" if i == len(rows) - 1 else ","
            out.append(f"    ('{d.isoformat()}', {sql_string(name)}, '{kind}', 'computed'){end}  -- {WEEKDAY[d.weekday()]}")
    return "\n".join(out) + "\n"


RULES = """\
-- The days off of Bộ luật Lao động 2019 (45/2019/QH14) Điều 112 khoản 1 (articles as read in
-- published excerpts of the Code: to be checked against the official text):
--   a. Tết Dương lịch: 1/1.
--   b. Tết Âm lịch: 5 days. The law leaves which five to the Prime Minister's yearly notice
--      (khoản 3); computed here: the last day of the lunar year (29 or 30 tháng Chạp) and
--      mùng 1 to mùng 4 tháng Giêng, kind 'tet'.
--   c. Ngày Chiến thắng: 30/4.   d. Ngày Quốc tế Lao động: 1/5.
--   đ. Quốc khánh: 2/9 and one day beside it, before or after, again the Prime Minister's choice;
--      computed here: a weekday; of two weekdays the one that joins the weekend (1/9 a Monday,
--      3/9 a Friday); else 1/9, the law naming "trước" first. It gives the days the press
--      reported for 2021-2025 (3/9 Fri, 1/9 Thu, 1/9 Fri, 3/9 Tue, 1/9 Mon; notices not read).
--   e. Giỗ Tổ Hùng Vương: 10/3 âm lịch.
-- Nghỉ bù (kind 'compensatory'), Điều 111 khoản 3: a holiday on a weekly rest day gives the next
-- working day off. The weekly rest days are Saturday and Sunday, as for cán bộ, công chức (the
-- 40-hour week of Quyết định 188/1999/QĐ-TTg); a holiday on one of them gives, in date order,
-- the next day that is neither a Saturday, a Sunday, a holiday nor an earlier nghỉ bù. Two
-- holidays on one day stop the script: the law has no rule for it (none in 2024-2040).
--
-- Every row here is source 'computed': a default, not an announcement. The Prime Minister's
-- yearly notices (the Tết days, the day beside 2/9) and the swaps of working days they allow
-- (hoán đổi ngày làm việc) are DATA, entered by a new migration or, later, through the API —
-- never code: update or delete the computed rows of that year and insert the announced ones
-- with source 'announced: <the notice's number and date>'. A swapped day off takes the kind of
-- the holiday it joins. The Saturday worked in exchange cannot be said yet (tdkt_is_working_day
-- counts every Saturday as a day off): the first such swap needs a migration that teaches it.
"""

SCHEMA = """\
CREATE TABLE public_holidays (
    day     date PRIMARY KEY,
    name    text NOT NULL,
    kind    text NOT NULL CHECK (kind IN ('holiday', 'compensatory', 'tet')),
    source  text NOT NULL
);
-- read by the service (a deadline in working days: public notice, appeals, ...); written by
-- migrations. tdkt migrate grants the service role its access, as for every table (lib/migrate.c).

-- Is `d` a working day: Monday to Friday and not a day off above. Past the last year the table
-- holds, only weekends count: a migration for later years must come first (see above).
CREATE FUNCTION tdkt_is_working_day(d date) RETURNS boolean
LANGUAGE sql STABLE STRICT PARALLEL SAFE AS $$
    SELECT extract(isodow FROM d) < 6 AND NOT EXISTS (SELECT 1 FROM public_holidays h WHERE h.day = d)
$$;

-- The n-th working day after `start` (start itself not counted); n = 0 gives start. One query
-- over a window of n*3+30 days: a year has about 250 working days in 365, and its longest run
-- of days off (Tết with its weekends and nghỉ bù) is under two weeks, so the window always
-- holds n of them; if data ever made it not, the function says so instead of answering wrong.
CREATE FUNCTION tdkt_add_working_days(start date, n integer) RETURNS date
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE AS $$
DECLARE
    result date;
BEGIN
    IF n < 0 OR n > 365 THEN
        RAISE EXCEPTION 'tdkt_add_working_days: n = % is outside 0..365', n USING ERRCODE = '22003';
    END IF;
    IF n = 0 THEN
        RETURN start;
    END IF;
    SELECT start + i INTO result
      FROM generate_series(1, n * 3 + 30) AS i
     WHERE extract(isodow FROM start + i) < 6
       AND NOT EXISTS (SELECT 1 FROM public_holidays h WHERE h.day = start + i)
     ORDER BY i OFFSET n - 1 LIMIT 1;
    IF result IS NULL THEN
        RAISE EXCEPTION 'tdkt_add_working_days: fewer than % working days in the % days after %',
            n, n * 3 + 30, start USING ERRCODE = '22003';
    END IF;
    RETURN result;
END
$$;

-- Mondays to Fridays from 2000-01-03 (a Monday) through `d`, negative before: the difference
-- of two counts is the weekdays between them, whatever the span, without a row per day.
CREATE FUNCTION tdkt_weekdays_through(d date) RETURNS bigint
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT 5 * ((k - m) / 7) + least(m + 1, 5)
      FROM (SELECT d - date '2000-01-03' AS k) s,
           LATERAL (SELECT ((s.k % 7) + 7) % 7 AS m) w    -- 0 Monday .. 6 Sunday
$$;

-- Working days d with a < d <= b; 0 when b <= a. The weekdays between, less the days off that
-- fall on weekdays (an index range of the table).
CREATE FUNCTION tdkt_working_days_between(a date, b date) RETURNS integer
LANGUAGE sql STABLE STRICT PARALLEL SAFE AS $$
    SELECT CASE WHEN b <= a THEN 0 ELSE
        (tdkt_weekdays_through(b) - tdkt_weekdays_through(a)
         - (SELECT count(*) FROM public_holidays h
             WHERE h.day > a AND h.day <= b AND extract(isodow FROM h.day) < 6))::integer
    END
$$;
"""


def migration(first, last, rows_only):
    command = f"scripts/holidays.py {'--rows ' if rows_only else ''}{first} {last}"
    head = [f"-- Public holidays of {first}-{last} (issue 14). GENERATED by `{command}`: do not edit;",
            "-- a change is a new migration. Tết and Giỗ Tổ by the Vietnamese lunar calendar (Hồ Ngọc Đức's",
            "-- algorithm, UTC+7), checked by the script against known dates."]
    if rows_only:
        head.append("-- The rules and how announced days are entered: sql/0025_public_holidays.sql.")
        return "\n".join(head) + "\n\n" + rows_sql(first, last)
    head += ["-- Later years: `scripts/holidays.py --rows 2041 2060 > sql/00NN_public_holidays_2041_2060.sql`,",
             "-- a new migration, before the last year here is near (a deadline past it counts only weekends).",
             "--"]
    return "\n".join(head) + "\n" + RULES + "\n" + SCHEMA + "\n" + rows_sql(first, last)


def main(argv):
    args = argv[1:]
    rows_only = bool(args) and args[0] == "--rows"
    if rows_only:
        args = args[1:]
    if len(args) != 2 or not all(a.isdigit() for a in args):
        raise SystemExit(__doc__)
    first, last = int(args[0]), int(args[1])
    if not 1900 <= first <= last <= 2199:
        raise SystemExit("holidays.py: years from 1900 to 2199, the first not after the last")
    check(range(first, last + 1))
    sys.stdout.write(migration(first, last, rows_only))


if __name__ == "__main__":
    main(sys.argv)
