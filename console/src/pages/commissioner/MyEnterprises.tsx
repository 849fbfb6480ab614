import { Card, Grid, Input, List, Select, Space, Switch, Table, Tag, Typography } from "antd";
import type { ColumnsType } from "antd/es/table";
import { useState } from "react";
import { Link } from "react-router-dom";
import { useQuery } from "urql";

import { CursorPager } from "../../components/CursorPager";
import { PageTitle, QueryState, useNow } from "../../components/common";
import type { EnterprisesQuery as Result } from "../../gql/graphql";
import { DISTRICT_OPTIONS } from "../../lib/districts";
import { currentAfter, firstPage, nextPage, previousPage } from "../../lib/pagination";
import { formatDateTime, nextVisitStatus } from "../../lib/time";
import { ENTERPRISES } from "../../client";
import { EnterprisesQuery } from "../../operations";
import { useSession } from "../../session-context";

type Row = Result["enterprises"]["edges"][number]["node"];
const PAGE = 20;
const COLOR = { ok: undefined, soon: "orange", overdue: "red" } as const;

function NextVisit({ row, now }: { row: Row; now: number }) {
  const next = nextVisitStatus(row.nextVisitDueOn, now);
  return <Tag color={COLOR[next.urgency]}>{next.text}</Tag>;
}

/** 我的企业 (a commissioner's own), or the 企业名录 for supervisors. */
export default function MyEnterprises() {
  const { claims } = useSession();
  const screens = Grid.useBreakpoint();
  const now = useNow(60_000);
  const [pages, setPages] = useState(firstPage);
  const [search, setSearch] = useState("");
  const [district, setDistrict] = useState<string | null>(null);
  const [overdue, setOverdue] = useState(false);
  const mine = claims.role === "COMMISSIONER";
  const [result, reexecute] = useQuery({
    query: EnterprisesQuery,
    variables: {
      filter: {
        search: search || null,
        district,
        visitOverdue: overdue || null,
        commissionerId: mine ? claims.sub : null,
      },
      first: PAGE,
      after: currentAfter(pages),
    },
    context: ENTERPRISES,
  });
  const connection = result.data?.enterprises;
  const rows = connection?.edges.map((e) => e.node) ?? [];
  const restart = () => setPages(firstPage());

  const columns: ColumnsType<Row> = [
    { title: "企业名称", key: "name", render: (_, r) => <Link to={`/enterprises/${r.id}`}>{r.name}</Link> },
    { title: "所属区县", dataIndex: "district" },
    ...(mine ? [] : [{ title: "服务专员", key: "commissioner", render: (_: unknown, r: Row) => r.commissioner?.name ?? "未分配" }]),
    { title: "走访次数", dataIndex: "visitCount", align: "right" },
    { title: "最近走访", key: "last", render: (_, r) => formatDateTime(r.lastVisitAt) },
    { title: "下次走访", key: "next", render: (_, r) => <NextVisit row={r} now={now} /> },
    {
      title: "未办结诉求",
      key: "open",
      align: "right",
      render: (_, r) => (r.openIssueCount > 0 ? <Tag color="orange">{r.openIssueCount}</Tag> : 0),
    },
  ];

  return (
    <>
      <PageTitle title={mine ? "我的企业" : "企业名录"}>
        {mine ? "您负责服务的企业：按期走访，逾期未走访的标红。" : "全市服务企业；督导员可查看各企业的走访和诉求。"}
      </PageTitle>
      <Space wrap style={{ marginBottom: 12 }}>
        <Input.Search
          allowClear
          placeholder="企业名称或信用代码"
          onSearch={(v) => {
            setSearch(v.trim());
            restart();
          }}
          style={{ width: screens.md ? 260 : "100%" }}
        />
        {!mine && (
          <Select
            allowClear
            showSearch
            placeholder="所属区县"
            options={DISTRICT_OPTIONS}
            style={{ width: 180 }}
            onChange={(v) => {
              setDistrict(v ?? null);
              restart();
            }}
          />
        )}
        <Space>
          <Switch
            checked={overdue}
            onChange={(v) => {
              setOverdue(v);
              restart();
            }}
          />
          <span>只看逾期未走访</span>
        </Space>
      </Space>
      <QueryState
        fetching={result.fetching}
        error={result.error}
        empty={!connection || connection.totalCount === 0}
        emptyText={mine ? "暂无分配给您的企业" : "暂无企业"}
        retry={() => reexecute({ requestPolicy: "network-only" })}
      >
        {screens.md ? (
          <Table<Row> rowKey="id" columns={columns} dataSource={rows} pagination={false} loading={result.fetching} scroll={{ x: true }} />
        ) : (
          <List
            dataSource={rows}
            renderItem={(r) => (
              <List.Item key={r.id} style={{ padding: "6px 0" }}>
                <Card size="small" style={{ width: "100%" }}>
                  <Link to={`/enterprises/${r.id}`}>
                    <Typography.Text strong>{r.name}</Typography.Text>
                  </Link>
                  <div style={{ marginTop: 6 }}>
                    <Space wrap size={4}>
                      <NextVisit row={r} now={now} />
                      {r.openIssueCount > 0 && <Tag color="orange">未办结诉求 {r.openIssueCount}</Tag>}
                    </Space>
                  </div>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {r.district} · 走访 {r.visitCount} 次 · 最近 {formatDateTime(r.lastVisitAt)}
                  </Typography.Text>
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
