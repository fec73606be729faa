-- Eligibility's facts of a collective (issue 13, api/eligibility.c): its people's awards of one
-- year. With only awards_person_idx (recipient_person_id, id) and awards_year_idx (year, id), the
-- generic plan read every award of the year across the country (13-22 ms at 200,000 awards,
-- make bench-eligibility); by person and year it reads the unit's people's own.
CREATE INDEX awards_person_year_idx ON awards (recipient_person_id, year) WHERE recipient_person_id IS NOT NULL;
