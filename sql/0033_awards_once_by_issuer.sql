-- An award is once per recipient, kind, year and decision, and a decision is its number at its
-- issuing unit (decisions_number_key), not its number alone. 0024's awards_once named the decision
-- by its number only, so two units that both numbered a decision "01/QĐ-KT" could not both give
-- one recipient the same kind that year: the second decision was refused as a duplicate (an
-- outside review found it). The index now holds the issuer too. A record from history may not
-- know its issuer (a body outside the unit tree): then the number alone names the decision, and
-- an award of the same recipient, kind, year and number, whatever its issuer, is the same award —
-- the trigger below says so for either side being unknown, serialised per recipient, kind and
-- year so that two such writes at once cannot both pass (its lookup is awards_once's own prefix).
-- Its refusal names awards_once, the constraint the API maps to 409 `duplicate`.
DROP INDEX awards_once;
CREATE UNIQUE INDEX awards_once ON awards (award_kind_code, year, coalesce(recipient_unit_id, 0),
    coalesce(recipient_person_id, 0), coalesce(recipient_household ->> 'name', ''), coalesce(issuing_unit_id, 0),
    coalesce(decision_number, ''));

CREATE FUNCTION tdkt_award_once_unknown_issuer() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended('tdkt.award:' || NEW.award_kind_code || ':' || NEW.year || ':'
        || coalesce(NEW.recipient_unit_id, 0) || ':' || coalesce(NEW.recipient_person_id, 0) || ':'
        || coalesce(NEW.recipient_household ->> 'name', ''), 0));
    IF EXISTS (SELECT 1 FROM awards a
                WHERE a.id <> NEW.id AND a.award_kind_code = NEW.award_kind_code AND a.year = NEW.year
                  AND coalesce(a.recipient_unit_id, 0) = coalesce(NEW.recipient_unit_id, 0)
                  AND coalesce(a.recipient_person_id, 0) = coalesce(NEW.recipient_person_id, 0)
                  AND coalesce(a.recipient_household ->> 'name', '') = coalesce(NEW.recipient_household ->> 'name', '')
                  AND a.decision_number = NEW.decision_number
                  AND (a.issuing_unit_id IS NULL OR NEW.issuing_unit_id IS NULL)) THEN
        RAISE EXCEPTION 'award % of % in % by decision % is recorded already', NEW.award_kind_code,
                coalesce(NEW.recipient_unit_id, NEW.recipient_person_id), NEW.year, NEW.decision_number
            USING ERRCODE = 'unique_violation', CONSTRAINT = 'awards_once';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER awards_once_unknown_issuer BEFORE INSERT OR UPDATE OF award_kind_code, year, recipient_unit_id,
    recipient_person_id, recipient_household, issuing_unit_id, decision_number ON awards
    FOR EACH ROW WHEN (NEW.decision_number IS NOT NULL) EXECUTE FUNCTION tdkt_award_once_unknown_issuer();
