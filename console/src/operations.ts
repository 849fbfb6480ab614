// Every GraphQL operation the console sends, typed by GraphQL Code Generator from schema.graphql.
import { graphql } from "./gql";

export const MeQuery = graphql(`
  query Me {
    me {
      id
      name
      role
    }
  }
`);

export const IssueListFields = graphql(`
  fragment IssueListFields on Issue {
    id
    kind
    category
    status
    title
    raisedAt
    dispatchedAt
    acceptDueAt
    resolveDueAt
    resolvedAt
    overdue
    reworkCount
    enterprise {
      id
      name
      district
    }
    reportingPoint {
      id
      name
    }
    leadDepartment {
      id
      name
    }
  }
`);

export const IssuesQuery = graphql(`
  query Issues($filter: IssueFilter, $first: Int, $after: String, $orderBy: IssueOrder! = RAISED) {
    issues(filter: $filter, first: $first, after: $after, orderBy: $orderBy) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          ...IssueListFields
        }
      }
    }
  }
`);

export const AuditQueueQuery = graphql(`
  query AuditQueue($first: Int, $after: String) {
    auditQueue(first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          ...IssueListFields
          resolution
          timeline {
            type
            actor {
              id
              name
            }
          }
        }
      }
    }
  }
`);

export const IssueQuery = graphql(`
  query Issue($id: ID!) {
    issue(id: $id) {
      ...IssueListFields
      description
      acceptedAt
      closedAt
      resolution
      evidence
      satisfaction
      dispatchRefusalCount
      assistingDepartments {
        id
        name
      }
      visit {
        id
        visitedAt
        channel
      }
      timeline {
        position
        type
        at
        note
        actor {
          id
          name
          role
        }
      }
    }
  }
`);

export const EnterprisesQuery = graphql(`
  query Enterprises($filter: EnterpriseFilter, $first: Int, $after: String) {
    enterprises(filter: $filter, first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          uscc
          name
          district
          industry
          status
          visitCount
          lastVisitAt
          nextVisitDueOn
          openIssueCount
          commissioner {
            id
            name
          }
          contacts {
            name
            phone
            title
          }
        }
      }
    }
  }
`);

export const EnterpriseQuery = graphql(`
  query Enterprise($id: ID!, $visitsAfter: String, $issuesAfter: String) {
    enterprise(id: $id) {
      id
      uscc
      name
      district
      industry
      status
      visitCount
      lastVisitAt
      nextVisitDueOn
      openIssueCount
      commissioner {
        id
        name
      }
      contacts {
        name
        phone
        title
      }
      policyNotices {
        policyCode
        firstNotifiedAt
        lastNotifiedAt
        timesNotified
        notifiedBy
        note
        confirmedAt
        confirmedBy
      }
      visits(first: 10, after: $visitsAfter) {
        totalCount
        pageInfo {
          hasNextPage
          endCursor
        }
        edges {
          node {
            id
            visitedAt
            channel
            attendees
            topics
            policiesExplained
            summary
            nextVisitOn
            commissioner {
              id
              name
            }
            issues {
              id
              title
              status
            }
          }
        }
      }
      issues(first: 10, after: $issuesAfter) {
        totalCount
        pageInfo {
          hasNextPage
          endCursor
        }
        edges {
          node {
            ...IssueListFields
          }
        }
      }
    }
  }
`);

export const PoliciesQuery = graphql(`
  query Policies {
    policies {
      code
      title
      benefit
    }
  }
`);

export const DepartmentsQuery = graphql(`
  query Departments {
    departments {
      id
      name
      district
    }
  }
`);

export const UnitsQuery = graphql(`
  query Units {
    departments {
      id
      name
      district
    }
    reportingPoints {
      id
      name
      district
    }
  }
`);

export const KpisQuery = graphql(`
  query Kpis($from: Date!, $to: Date!, $district: String) {
    kpis(from: $from, to: $to, district: $district) {
      from
      to
      district
      enterprisesServed
      visitCount
      enterprisesVisited
      policyEvents
      issuesRaised
      issuesClosed
      closureRate
      onTimeAcceptRate
      urgentHiringResponseRate
      onTimeResolveRate
      satisfactionRate
      dispatchRefusals
      reworks
    }
  }
`);

export const LeagueQuery = graphql(`
  query League($period: String!) {
    leagueTable(period: $period) {
      period
      from
      to
      rows {
        rank
        district
        score
        measuredWeight
        rates {
          kpi
          label
          weight
          rate
        }
        kpis {
          issuesRaised
          issuesClosed
          closureRate
          urgentHiringResponseRate
          satisfactionRate
          dispatchRefusals
          reworks
        }
      }
    }
  }
`);

// ---------------------------------------------------------------- mutations

export const LogVisitMutation = graphql(`
  mutation LogVisit($input: LogVisitInput!) {
    logVisit(input: $input) {
      position
      visit {
        id
        visitedAt
      }
    }
  }
`);

export const RaiseDemandMutation = graphql(`
  mutation RaiseDemand($input: RaiseDemandInput!) {
    raiseDemand(input: $input) {
      position
      issue {
        id
        status
      }
    }
  }
`);

export const SubmitDirectReportMutation = graphql(`
  mutation SubmitDirectReport($input: SubmitDirectReportInput!) {
    submitDirectReport(input: $input) {
      position
      issue {
        id
        status
      }
    }
  }
`);

export const DispatchMutation = graphql(`
  mutation Dispatch($input: DispatchIssueInput!) {
    dispatchIssue(input: $input) {
      position
      issue {
        id
        status
      }
    }
  }
`);

export const AcceptMutation = graphql(`
  mutation Accept($issueId: ID!) {
    acceptIssue(issueId: $issueId) {
      position
      issue {
        id
        status
      }
    }
  }
`);

export const RefuseMutation = graphql(`
  mutation Refuse($input: ReasonInput!) {
    refuseDispatch(input: $input) {
      position
      issue {
        id
        status
      }
    }
  }
`);

export const DeclineMutation = graphql(`
  mutation Decline($input: ReasonInput!) {
    declineIssue(input: $input) {
      position
      issue {
        id
        status
      }
    }
  }
`);

export const ProgressMutation = graphql(`
  mutation Progress($input: NoteInput!) {
    recordProgress(input: $input) {
      position
      issue {
        id
        status
      }
    }
  }
`);

export const SuspendMutation = graphql(`
  mutation Suspend($input: ReasonInput!) {
    suspendIssue(input: $input) {
      position
      issue {
        id
        status
      }
    }
  }
`);

export const ResumeMutation = graphql(`
  mutation Resume($issueId: ID!) {
    resumeIssue(issueId: $issueId) {
      position
      issue {
        id
        status
      }
    }
  }
`);

export const ResolveMutation = graphql(`
  mutation Resolve($input: ResolveIssueInput!) {
    resolveIssue(input: $input) {
      position
      issue {
        id
        status
      }
    }
  }
`);

export const ApproveMutation = graphql(`
  mutation Approve($input: NoteInput!) {
    approveClosure(input: $input) {
      position
      issue {
        id
        status
      }
    }
  }
`);

export const ReworkMutation = graphql(`
  mutation Rework($input: ReasonInput!) {
    returnForRework(input: $input) {
      position
      issue {
        id
        status
      }
    }
  }
`);

export const EvaluateMutation = graphql(`
  mutation Evaluate($input: EvaluateIssueInput!) {
    evaluateIssue(input: $input) {
      position
      issue {
        id
        status
      }
    }
  }
`);

export const ReopenMutation = graphql(`
  mutation Reopen($input: ReasonInput!) {
    reopenIssue(input: $input) {
      position
      issue {
        id
        status
      }
    }
  }
`);

export const EscalateMutation = graphql(`
  mutation Escalate($input: EscalateIssueInput!) {
    escalateIssue(input: $input) {
      position
      issue {
        id
        status
      }
    }
  }
`);

export const RegisterEnterpriseMutation = graphql(`
  mutation RegisterEnterprise($input: RegisterEnterpriseInput!) {
    registerEnterprise(input: $input) {
      position
      enterprise {
        id
        name
      }
    }
  }
`);

export const AssignCommissionerMutation = graphql(`
  mutation AssignCommissioner($input: AssignCommissionerInput!) {
    assignCommissioner(input: $input) {
      position
      enterprise {
        id
        commissioner {
          id
          name
        }
      }
    }
  }
`);

export const RegisterDepartmentMutation = graphql(`
  mutation RegisterDepartment($input: RegisterDepartmentInput!) {
    registerDepartment(input: $input) {
      position
      department {
        id
        name
      }
    }
  }
`);

export const RegisterReportingPointMutation = graphql(`
  mutation RegisterReportingPoint($input: RegisterReportingPointInput!) {
    registerReportingPoint(input: $input) {
      position
      reportingPoint {
        id
        name
      }
    }
  }
`);

export const NotifyPolicyMutation = graphql(`
  mutation NotifyPolicy($input: PolicyNoticeInput!) {
    notifyPolicy(input: $input) {
      position
      enterprise {
        id
      }
    }
  }
`);

export const ConfirmPolicyMutation = graphql(`
  mutation ConfirmPolicy($input: PolicyConfirmationInput!) {
    confirmPolicy(input: $input) {
      position
      enterprise {
        id
      }
    }
  }
`);

export const ReportFileQuery = graphql(`
  query ReportFile($period: String!, $kind: ReportKind!) {
    reportFile(period: $period, kind: $kind) {
      filename
      mediaType
      sizeBytes
      contentBase64
    }
  }
`);

export const ImportEnterprisesMutation = graphql(`
  mutation ImportEnterprises($input: EnterpriseImportInput!) {
    importEnterprises(input: $input) {
      dryRun
      applied
      position
      counts {
        outcome
        outcomeLabel
        rows
      }
      lines {
        row
        serial
        name
        uscc
        outcome
        outcomeLabel
        detail
      }
    }
  }
`);

export const NotificationsQuery = graphql(`
  query Notifications($first: Int, $after: String, $unreadOnly: Boolean!) {
    notifications(first: $first, after: $after, unreadOnly: $unreadOnly) {
      unreadCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          kind
          kindLabel
          text
          read
          issueId
          createdAt
        }
      }
    }
  }
`);

export const UnreadNotificationsQuery = graphql(`
  query UnreadNotifications {
    notifications(first: 1, unreadOnly: true) {
      unreadCount
    }
  }
`);

export const MarkNotificationsReadMutation = graphql(`
  mutation MarkNotificationsRead($ids: [ID!]!) {
    markNotificationsRead(ids: $ids) {
      marked
      unreadCount
    }
  }
`);

export const AuditTrailQuery = graphql(`
  query AuditTrail($streamId: ID!, $first: Int, $after: String) {
    auditTrail(streamId: $streamId, first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          position
          version
          label
          at
          actor {
            id
            name
            roleLabel
            requestId
            clientApp
          }
          changes {
            field
            fieldLabel
            before
            after
          }
        }
      }
    }
  }
`);
