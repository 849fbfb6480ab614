import { Alert, Card, Grid, List, Space, Table, Tag, Typography } from "antd";
import type { ColumnsType } from "antd/es/table";
import { useState } from "react";
import { Link } from "react-router-dom";
import { useQuery } from "urql";

import { CursorPager } from "../../components/CursorPager";
import { PageTitle, QueryState } from "../../components/common";
import type { AuditQueueQuery as Result } from "../../gql/graphql";
import { resolverOf } from "../../lib/duties";
import { CATEGORY_LABELS } from "../../lib/labels";
import { currentAfter, firstPage, nextPage, previousPage } from "../../lib/pagination";
import { formatDateTime } from "../../lib/time";
import { ISSUES } from "../../client";
import { AuditQueueQuery } from "../../operations";
import { useSession } from "../../session-context";

type Row = Result["auditQueue"]["edges"][number]["node"];
const PAGE = 20;

/** 待审核: resolutions waiting for a supervisor's closure audit, oldest first. */
export default function AuditQueue() {
  const { claims } = useSession();
  const screens = Grid.useBreakpoint();
  const [pages, setPages] = useState(firstPage);
  const [result, reexecute] = useQuery({ query: AuditQueueQuery, variables: { first: PAGE, after: currentAfter(pages) }, context: ISSUES });
  const connection = result.data?.auditQueue;
  const rows = connection?.edges.map((e) => e.node) ?? [];
  const mine = (r: Row) => resolverOf(r.timeline)?.id === claims.sub;

  const columns: ColumnsType<Row> = [
    { title: "诉求", key: "title", render: (_, r) => <Link to={`/issues/${r.id}`}>{r.title}</Link> },
    { title: "企业 / 直报点", key: "source", render: (_, r) => r.enterprise?.name ?? r.reportingPoint?.name ?? "—" },
    { title: "类别", key: "category", render: (_, r) => CATEGORY_LABELS[r.category] },
    { title: "承办部门", key: "dept", render: (_, r) => r.leadDepartment?.name ?? "—" },
    { title: "办结人", key: "resolver", render: (_, r) => resolverOf(r.timeline)?.name ?? "—" },
    { title: "办结时间", key: "resolvedAt", render: (_, r) => formatDateTime(r.resolvedAt) },
    {
      title: "操作",
      key: "action",
      render: (_, r) => (mine(r) ? <Tag color="default">本人办结，不能审核</Tag> : <Link to={`/issues/${r.id}`}>审核</Link>),
    },
  ];

  return (
    <>
      <PageTitle title="待审核">承办部门已办结、等待督导员审核的诉求，先办结的在前。审核通过后进入回访评价；办理不到位的退回重办并说明理由。</PageTitle>
      <Alert
        type="info"
        showIcon
        style={{ marginBottom: 12 }}
        title="职责分离：办结人不能审核本人办结的诉求"
        description="审核人和回访评价人都不得是办结该诉求的人员，系统会拒绝此类操作；这类诉求请由其他督导员审核。"
      />
      <QueryState fetching={result.fetching} error={result.error} empty={!connection || connection.totalCount === 0} emptyText="没有待审核的诉求" retry={() => reexecute({ requestPolicy: "network-only" })}>
        {screens.md ? (
          <Table<Row> rowKey="id" columns={columns} dataSource={rows} pagination={false} scroll={{ x: true }} />
        ) : (
          <List
            dataSource={rows}
            renderItem={(r) => (
              <List.Item key={r.id}>
                <Card size="small" style={{ width: "100%" }}>
                  <Space orientation="vertical" size={2}>
                    <Link to={`/issues/${r.id}`}>{r.title}</Link>
                    <Typography.Text type="secondary">
                      {r.leadDepartment?.name} · 办结 {formatDateTime(r.resolvedAt)}
                    </Typography.Text>
                    {mine(r) && <Tag>本人办结，不能审核</Tag>}
                  </Space>
                </Card>
              </List.Item>
            )}
          />
        )}
        <CursorPager
          pages={pages}
          total={connection?.totalCount ?? 0}
          size={PAGE}
          hasNext={!!connection?.pageInfo.hasNextPage}
          onPrevious={() => setPages(previousPage)}
          onNext={() => setPages((p) => nextPage(p, connection?.pageInfo.endCursor))}
        />
      </QueryState>
    </>
  );
}
