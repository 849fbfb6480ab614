import { Card, Grid, List, Space, Table, Tag, Typography } from "antd";
import type { ColumnsType } from "antd/es/table";
import { type ReactNode, useState } from "react";
import { Link } from "react-router-dom";
import { useQuery } from "urql";

import type { IssueFilter, IssueListFieldsFragment } from "../gql/graphql";
import { CATEGORY_LABELS, KIND_LABELS } from "../lib/labels";
import { currentAfter, firstPage, nextPage, previousPage } from "../lib/pagination";
import { formatDateTime } from "../lib/time";
import { ISSUES } from "../client";
import { IssuesQuery } from "../operations";
import { CursorPager } from "./CursorPager";
import { Deadline, QueryState, StatusTag } from "./common";

export type IssueRow = IssueListFieldsFragment;
export type Column = "source" | "category" | "status" | "raisedAt" | "acceptDue" | "resolveDue" | "department" | "resolvedAt";

const PAGE = 20;

function source(issue: IssueRow): string {
  return issue.enterprise?.name ?? issue.reportingPoint?.name ?? KIND_LABELS[issue.kind];
}

function columnsFor(which: Column[], action?: (issue: IssueRow) => ReactNode): ColumnsType<IssueRow> {
  const all: Record<Column, ColumnsType<IssueRow>[number]> = {
    source: { title: "企业 / 直报点", key: "source", render: (_, i) => source(i) },
    category: {
      title: "类别",
      key: "category",
      render: (_, i) => (
        <Tag color={i.category === "URGENT_HIRING" ? "red" : undefined}>{CATEGORY_LABELS[i.category]}</Tag>
      ),
    },
    status: { title: "状态", key: "status", render: (_, i) => <StatusTag status={i.status} /> },
    raisedAt: { title: "提出时间", key: "raisedAt", render: (_, i) => formatDateTime(i.raisedAt) },
    acceptDue: {
      title: "签收时限",
      key: "acceptDue",
      render: (_, i) => <Deadline at={i.acceptDueAt} done={i.status !== "DISPATCHED"} />,
    },
    resolveDue: {
      title: "办结时限",
      key: "resolveDue",
      render: (_, i) => (
        <Deadline at={i.resolveDueAt} done={!["DISPATCHED", "IN_PROGRESS"].includes(i.status)} />
      ),
    },
    department: { title: "承办部门", key: "department", render: (_, i) => i.leadDepartment?.name ?? "—" },
    resolvedAt: { title: "办结时间", key: "resolvedAt", render: (_, i) => formatDateTime(i.resolvedAt) },
  };
  const columns: ColumnsType<IssueRow> = [
    {
      title: "诉求",
      key: "title",
      render: (_, i) => (
        <Space orientation="vertical" size={0}>
          <Link to={`/issues/${i.id}`}>{i.title}</Link>
          {i.overdue && <Tag color="red">已超期</Tag>}
        </Space>
      ),
    },
    ...which.map((c) => all[c]),
  ];
  if (action) columns.push({ title: "操作", key: "action", render: (_, i) => action(i) });
  return columns;
}

export function IssueCards({ issues, action }: { issues: IssueRow[]; action?: (issue: IssueRow) => ReactNode }) {
  return (
    <List
      dataSource={issues}
      renderItem={(i) => (
        <List.Item key={i.id} style={{ padding: "8px 0" }}>
          <Card size="small" style={{ width: "100%" }}>
            <Space orientation="vertical" size={4} style={{ width: "100%" }}>
              <Link to={`/issues/${i.id}`}>
                <Typography.Text strong>{i.title}</Typography.Text>
              </Link>
              <Space wrap size={4}>
                <StatusTag status={i.status} />
                <Tag color={i.category === "URGENT_HIRING" ? "red" : undefined}>{CATEGORY_LABELS[i.category]}</Tag>
                {i.overdue && <Tag color="red">已超期</Tag>}
              </Space>
              <Typography.Text type="secondary">
                {source(i)} · {formatDateTime(i.raisedAt)}
              </Typography.Text>
              {i.status === "DISPATCHED" && <Deadline at={i.acceptDueAt} />}
              {i.status === "IN_PROGRESS" && <Deadline at={i.resolveDueAt} />}
              {action?.(i)}
            </Space>
          </Card>
        </List.Item>
      )}
    />
  );
}

/** One page of issues at a time, a table on a desk and cards on a phone; `byDeadline`: the
 * running deadline first (the server orders and pages, so every issue is reachable). */
export function IssueList({
  filter,
  columns,
  action,
  byDeadline = false,
  emptyText = "暂无诉求",
}: {
  filter: IssueFilter;
  columns: Column[];
  action?: (issue: IssueRow) => ReactNode;
  byDeadline?: boolean;
  emptyText?: string;
}) {
  const screens = Grid.useBreakpoint();
  const [pages, setPages] = useState(firstPage);
  const [result, reexecute] = useQuery({
    query: IssuesQuery,
    variables: { filter, first: PAGE, after: currentAfter(pages), orderBy: byDeadline ? "DEADLINE" : "RAISED" },
    context: ISSUES,
  });
  const connection = result.data?.issues;
  const shown = connection?.edges.map((e) => e.node) ?? [];
  const total = connection?.totalCount ?? 0;

  return (
    <QueryState
      fetching={result.fetching}
      error={result.error}
      empty={!connection || total === 0}
      emptyText={emptyText}
      retry={() => reexecute({ requestPolicy: "network-only" })}
    >
      {screens.md ? (
        <Table<IssueRow>
          rowKey="id"
          size="middle"
          columns={columnsFor(columns, action)}
          dataSource={shown}
          pagination={false}
          loading={result.fetching}
          scroll={{ x: true }}
        />
      ) : (
        <IssueCards issues={shown} action={action} />
      )}
      <CursorPager
        pages={pages}
        total={total}
        size={PAGE}
        hasNext={!!connection?.pageInfo.hasNextPage}
        onPrevious={() => setPages(previousPage)}
        onNext={() => setPages((p) => nextPage(p, connection?.pageInfo.endCursor))}
      />
    </QueryState>
  );
}
