"""Which roles may call each mutation (DOMAIN.md "Roles"); scope checks come after this gate."""

from __future__ import annotations

from domain.shared import Role

A, C, D, S, R = Role.ADMIN, Role.COMMISSIONER, Role.DEPARTMENT, Role.SUPERVISOR, Role.REPORTER

MUTATION_ROLES: dict[str, frozenset[Role]] = {
    "registerDepartment": frozenset({A}),
    "registerReportingPoint": frozenset({A}),
    "registerEnterprise": frozenset({A}),
    "importEnterprises": frozenset({A}),
    "assignCommissioner": frozenset({A}),
    "logVisit": frozenset({C}),
    "raiseDemand": frozenset({C}),
    "submitDirectReport": frozenset({R}),
    "dispatchIssue": frozenset({S, A}),
    "acceptIssue": frozenset({D}),
    "refuseDispatch": frozenset({D}),
    "declineIssue": frozenset({S, A}),
    "recordProgress": frozenset({D}),
    "suspendIssue": frozenset({D}),
    "resumeIssue": frozenset({D}),
    "resolveIssue": frozenset({D}),
    "approveClosure": frozenset({S, A}),
    "returnForRework": frozenset({S, A}),
    "evaluateIssue": frozenset({S, A}),
    "reopenIssue": frozenset({S, A}),
    "escalateIssue": frozenset({S, A}),
    # Beyond the contract.
    "addPolicy": frozenset({A}),
    "correctVisit": frozenset({C, A}),
    "notifyPolicy": frozenset({C, A}),
    "confirmPolicy": frozenset({C, A}),
    "changeContacts": frozenset({C, A}),
    "suspendEnterprise": frozenset({A}),
    "resumeEnterprise": frozenset({A}),
    "closeEnterprise": frozenset({A}),
    "publishLeagueTable": frozenset({S}),
    "forgetPerson": frozenset({A}),
    "recordLabour": frozenset({C}),
    "correctLabour": frozenset({C, A}),
    "fillVacancy": frozenset({C, A}),
    "raiseVacancyDemand": frozenset({C}),
    "resolveHiringDemand": frozenset({D}),
    "markNotificationsRead": frozenset({A, C, D, S, R}),
    "requestExtension": frozenset({D}),
    "approveExtension": frozenset({S, A}),
    "refuseExtension": frozenset({S, A}),
    "sendRatingLink": frozenset({S, A}),
    "logActivity": frozenset({C, D, A}),
    "cancelActivity": frozenset({C, D, A}),
}
