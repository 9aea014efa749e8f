"""Writes of the lifecycle (R3): one function per act, keyword arguments, transactional, audited.

``cases`` holds the procedures on a case, ``measures`` the assistance measures, ``tracking`` the post-exit
follow-up and the poverty lines, ``common`` what they share (status rules, checks, the step record and the clock
``common.today``, which tests replace to let a notice period pass). Callers use the package:
``from fupin.lifecycle import services; services.open_case(...)``.

Every procedure (identification, exit, return to poverty, new poverty, monitoring object, risk
elimination) runs the same chain, each step by its role at its level, inside the actor's region:

    open_case (clerk) → review 民主评议 (clerk) → start_notice 公示 (clerk, 7 to 60 days, starting today or later)
      → [objections recorded and resolved] → township_audit 乡镇审核 (township reviewer, after the notice
      ended with no open objection) → county_approval 县级审批 (county administrator) → applied to the dossier

A rejection at any step closes the case. Refusals raise ``LifecycleError`` (a ``ValidationError``)
or ``PermissionDenied`` with a message "中文 / English".
"""

from fupin.lifecycle.services.cases import (
    STEP_FUNCTIONS,
    BulkResult,
    bulk_decide,
    county_approval,
    open_case,
    record_objection,
    register_applicant,
    resolve_objection,
    review,
    start_notice,
    township_audit,
    withdraw,
)
from fupin.lifecycle.services.common import (
    CATEGORY_STATUSES,
    CLERK_LEVELS,
    MAX_RISKS,
    MONITORING_FROM_YEAR,
    NOTICE_DAYS,
    NOTICE_MAX_DAYS,
    NOTICE_MAX_LEAD_DAYS,
    OPENERS,
    ORIGIN_VERIFICATION,
    RESULT_STATUS,
    STARTS_FROM,
    STEP_ROLES,
    LifecycleError,
    check_step_role,
)
from fupin.lifecycle.services.measures import (
    MEASURE_FIELDS,
    MEASURE_MAX_LENGTHS,
    MEASURE_REQUIRED,
    add_measure,
    check_measure_actor,
    check_measure_writer,
    delete_measure,
    measure_cadres,
    update_measure,
)
from fupin.lifecycle.services.tracking import record_follow_up, set_poverty_line

__all__ = [
    "CATEGORY_STATUSES", "CLERK_LEVELS", "MAX_RISKS", "MEASURE_FIELDS", "MEASURE_MAX_LENGTHS", "MEASURE_REQUIRED",
    "MONITORING_FROM_YEAR", "NOTICE_DAYS", "NOTICE_MAX_DAYS", "NOTICE_MAX_LEAD_DAYS", "OPENERS", "ORIGIN_VERIFICATION",
    "RESULT_STATUS", "STARTS_FROM", "STEP_FUNCTIONS", "STEP_ROLES", "BulkResult", "LifecycleError", "add_measure", "bulk_decide",
    "check_measure_actor", "check_measure_writer", "check_step_role", "county_approval", "delete_measure", "measure_cadres", "open_case", "record_follow_up",
    "record_objection", "register_applicant", "resolve_objection", "review", "set_poverty_line", "start_notice",
    "township_audit", "update_measure", "withdraw",
]
