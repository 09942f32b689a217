"""The check that compares what customers see on the source version and on the upgraded store."""

from __future__ import annotations

from rehearse.checks import storefront
from rehearse.checks.context import CheckContext, Outcome
from rehearse.checks.store_diff import compare, to_json
from rehearse.results import Status

SHOWN = 20
ATTACHMENT = "store-diff.json"


def store_diff(context: CheckContext) -> Outcome:
    before = context.storefront
    if before is None:
        return Status.SKIP, "the page comparison is switched off (checks.store_diff)", []
    if before.recording is None:
        return Status.SKIP, f"page comparison not possible: {before.reason}", []
    if context.base_url is None:
        return Status.SKIP, f"nopCommerce {context.target} cannot be started on Linux", []
    after = storefront.record(context.pages or context.base_url, before.sample)
    found = compare(before.recording, after)
    allowed = [d for d in found if d.allowed_by(context.settings.diff_allow)]
    differences = [d for d in found if d not in allowed]
    context.attachments[ATTACHMENT] = to_json(differences, allowed, len(after))
    evidence = [f"{len(after)} pages compared ({before.sample.size} sampled + home, sitemap); "
                f"all differences in logs/{ATTACHMENT}"]
    evidence += [d.line() for d in differences[:SHOWN]]
    if len(differences) > SHOWN:
        evidence.append(f"… and {len(differences) - SHOWN} more")
    if differences:
        return (Status.FAIL, f"{len(differences)} differences in what customers see "
                             f"({len(allowed)} allowed)", evidence)
    note = f" ({len(allowed)} allowed differences)" if allowed else ""
    return Status.PASS, f"{len(after)} pages show customers the same as before{note}", evidence
