// A small client written against the types openapi-typescript generates from openapi.yaml
// (scripts/contract.sh writes them to build/contract/openapi.ts and type-checks this file with
// `tsc --noEmit --strict`). It is what an integrator's code looks like: if the contract's types
// regress (a list's items become unknown[], a free-form object Record<string, never>, an enum a bare
// string), this stops compiling. Each `@ts-expect-error` line is wrong use that must stay an error:
// were the types to loosen, the directive itself would fail the check.
import type { components, paths } from "../../build/contract/openapi";

type Schemas = components["schemas"];
type Json<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {
  responses: { 200: { content: { "application/json": infer T } } };
}
  ? T
  : never;

// Lists: items are typed, so .map gives typed elements.
export function unitCodes(page: Json<"/v1/units", "get">): string[] {
  return page.items.map((unit) => unit.code);
}
export function unitNames(page: Schemas["UnitList"]): Array<[number, string]> {
  return page.items.map((unit): [number, string] => [unit.id, unit.name]);
}
export function nextPage(page: Schemas["CampaignList"]): string | null {
  return page.next_cursor;
}
export function awardYears(page: Json<"/v1/units/{id}/awards", "get">): number[] {
  return page.items.filter((a) => a.source === "history").map((a) => a.year);
}
export function reportTotals(page: Schemas["ReportList"]): number {
  return page.items.reduce((sum, r) => sum + (r.values["inspections"] ?? 0), 0);
}

// Enums are real unions.
export const kind: Schemas["UnitKind"] = "provincial_inspectorate";
// @ts-expect-error: not a unit kind
export const badKind: Schemas["UnitKind"] = "province";
export function fieldCodes(problem: Schemas["Problem"]): Schemas["FieldErrorCode"][] {
  return (problem.errors ?? []).map((e) => e.code);
}
export function isDuplicate(e: Schemas["FieldError"]): boolean {
  return e.code === "duplicate";
}
export function isMadeUp(e: Schemas["FieldError"]): boolean {
  // @ts-expect-error: no such field error code
  return e.code === "already_exists";
}
// @ts-expect-error: not a role
export const role: Schemas["Role"] = "superuser";

// Free-form objects are open records, not Record<string, never>.
export function changedFields(entry: Schemas["AuditEntry"]): string[] {
  return Object.entries(entry.changes).map(([field, change]) =>
    "changed" in change ? `${field}: changed` : `${field}: ${JSON.stringify(change.old)} → ${JSON.stringify(change.new)}`,
  );
}
// A rule version: Chiến sĩ thi đua cấp tỉnh, 3 consecutive cơ sở, a tree of any depth
export const cstdTinh: Schemas["AwardRule"] = {
  effective_from: "2026-12-01",
  effective_to: null,
  legal_basis: "Luật Thi đua, khen thưởng 2022, Điều 23",
  source_checked: false,
  expr: {
    type: "all_of",
    items: [
      { type: "title_in_years", params: { kind: "chien_si_thi_dua_co_so", years: 3, min_count: 3, consecutive: true, offset: 1 } },
      { type: "no_discipline", params: { min_level: "reprimand", years: 3 } },
    ],
  },
};
// @ts-expect-error: a version says whether it was read against the official text
export const unchecked: Schemas["AwardRule"] = { effective_from: "2026-12-01", legal_basis: "x", expr: { type: "not_twice" } };
export function leafTypes(e: Schemas["RuleExpr"]): string[] {
  return [e.type, ...(e.items ?? []).flatMap(leafTypes)];
}
export function ruleTypes(kind: Json<"/v1/award-kinds/{code}", "get">): string[] {
  return kind.rules.flatMap((version) => leafTypes(version.expr));
}

// Request bodies are checked too.
export const newUnit: Schemas["UnitCreate"] = {
  code: "TT-LSN",
  name: "Thanh tra tỉnh Lạng Sơn",
  kind: "provincial_inspectorate",
  parent_id: 1,
  province_code: "20",
};
// @ts-expect-error: a unit needs a code
export const noCode: Schemas["UnitCreate"] = { name: "Thanh tra tỉnh Cao Bằng", kind: "provincial_inspectorate" };

// Retries: `Idempotency-Key` is a typed header of every POST that honours it (the authenticated
// ones), and of no other.
type PostHeaders<P extends keyof paths> = paths[P] extends { post: { parameters: { header?: infer H } } }
  ? NonNullable<H>
  : never;
export type IdempotencyKey = PostHeaders<"/v1/people">["Idempotency-Key"];
export const submitKey: PostHeaders<"/v1/reports/{id}/submit"> = { "Idempotency-Key": crypto.randomUUID() };
export const bothHeaders: PostHeaders<"/v1/campaigns/{id}/close"> = { "If-Match": '"3"', "Idempotency-Key": "close-42" };
// @ts-expect-error: a login has no token, so no key (it would be ignored)
export const loginKey: PostHeaders<"/v1/auth/token"> = { "Idempotency-Key": "k" };
// @ts-expect-error: a ballot is never kept, not even for a retry: no key
export const ballotKey: PostHeaders<"/v1/evaluations/{id}/ballots"> = { "Idempotency-Key": "k" };
// @ts-expect-error: the header's name is the contract's
export const misspelt: PostHeaders<"/v1/people"> = { "Idempotency-Keys": "k" };

// A typed call: the path, the method, the body and the headers come from the contract. A lost
// answer or a 409 (the first request still running) is retried with the same key: one person.
export async function createPerson(
  base: string,
  token: string,
  body: paths["/v1/people"]["post"]["requestBody"]["content"]["application/json"],
  key: NonNullable<IdempotencyKey> = crypto.randomUUID(),
): Promise<Schemas["Person"]> {
  const retry: PostHeaders<"/v1/people"> = { "Idempotency-Key": key };
  for (let attempt = 1; ; attempt++) {
    let r: Response | undefined;
    try {
      r = await fetch(`${base}/v1/people`, {
        method: "POST",
        headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json", ...retry },
        body: JSON.stringify(body),
      });
    } catch (e) {
      if (attempt >= 5) throw e; // no answer: the same request again, with its key
    }
    if (r?.status === 201) return (await r.json()) as Schemas["Person"];
    if (r && r.status !== 409 && r.status !== 503) throw new Error(((await r.json()) as Schemas["Problem"]).detail);
    if (attempt >= 5) throw new Error("no answer after 5 attempts");
    await new Promise((done) => setTimeout(done, 200 * attempt));
  }
}

// Evaluations: the results are a union on `status`; once closed, the ranking is typed all the way
// down to each criterion's detail.
export function rankedUnitNames(results: Json<"/v1/evaluations/{id}/results", "get">): string[] {
  if (results.status !== "closed") return []; // before close: ranking is null
  return results.ranking.map((item) => `${item.rank}. ${item.unit_name}`);
}
export function proposable(results: Schemas["EvaluationResults"]): number[] {
  return results.status === "closed" ? results.ranking.filter((r) => r.proposable).map((r) => r.unit_id) : [];
}
export function ownPoints(results: Schemas["EvaluationResults"]): number {
  return results.status === "closed" ? 0 : results.own_scores.reduce((sum, s) => sum + s.points, 0);
}
export function quantitativeReasons(item: Schemas["RankingItem"]): string[] {
  return item.breakdown.flatMap((b) => (b.detail && "ratio" in b.detail ? [`${b.criterion_code}: ${b.detail.reason}`] : []));
}
export function leafCodes(tree: Schemas["Criterion"][]): string[] {
  return tree.flatMap((c) => (c.children ? leafCodes(c.children) : [c.code]));
}
export const criterion: Schemas["Criterion"] = {
  code: "vu_an_tham_nhung",
  name: "Phát hiện, tham mưu xử lý vụ án tham nhũng",
  max_points: 30,
  kind: "quantitative",
  indicator_code: "corruption_cases_detected",
};
// @ts-expect-error: not a criterion kind
export const badCriterion: Schemas["Criterion"] = { code: "diem_cong", name: "Điểm cộng", max_points: 5, kind: "extra" };
export const ballot: paths["/v1/evaluations/{id}/ballots"]["post"]["requestBody"]["content"]["application/json"] = {
  choices: [23, 22, 21],
};
// @ts-expect-error: a list summary has no criteria (read the evaluation for them)
export const summaryCriteria = (e: Schemas["EvaluationSummary"]) => e.criteria;
export const sheetList: Schemas["Change"]["list"] = { name: "ballots" };
