-- An award is once per recipient, kind, year and decision; a decision is its row (its number is
-- unique only at its issuing unit: decisions_number_key). 0024's awards_once named the decision
-- by its number alone, so two units that both numbered a decision "01/QĐ-KT" could not both give
-- one recipient the same kind that year: the second decision was refused as a duplicate (an
-- outside review found it). A granted award now counts once per decision_id; a record from
-- history (no decision row) by its number, as before, whatever issuer it names.
DROP INDEX awards_once;
CREATE UNIQUE INDEX awards_once ON awards (award_kind_code, year, coalesce(recipient_unit_id, 0),
    coalesce(recipient_person_id, 0), coalesce(recipient_household ->> 'name', ''), coalesce(decision_id, 0),
    coalesce(decision_number, ''));
