-- An award is once per recipient, kind, year and decision; a decision is its number at its issuing
-- unit (decisions_number_key), not its number alone. 0024's awards_once left the issuer out, so
-- two units that both numbered a decision "01/QĐ-KT" could not both give one recipient the same
-- kind that year: the second decision was refused as a duplicate (an outside review found it).
-- A record from history whose issuer is outside the unit tree has none (0 here), as before.
DROP INDEX awards_once;
CREATE UNIQUE INDEX awards_once ON awards (award_kind_code, year, coalesce(recipient_unit_id, 0),
    coalesce(recipient_person_id, 0), coalesce(recipient_household ->> 'name', ''), coalesce(issuing_unit_id, 0),
    coalesce(decision_number, ''));
