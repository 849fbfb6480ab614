import { Button, Card, Col, Form, Input, Row, Select, Table } from "antd";
import { useState } from "react";
import { useQuery } from "urql";

import { ErrorAlert } from "../../components/ErrorAlert";
import { PageTitle, QueryState } from "../../components/common";
import { useAction } from "../../components/useAction";
import { DISTRICT_OPTIONS } from "../../lib/districts";
import type { DescribedError } from "../../lib/errors";
import { slicePage } from "../../lib/pagination";
import { UNITS } from "../../client";
import { RegisterDepartmentMutation, RegisterReportingPointMutation, UnitsQuery } from "../../operations";

interface Unit {
  id: string;
  name: string;
  district: string | null;
}

/** 部门与直报点: the departments a supervisor dispatches to, and the direct-report points. */
export default function Units() {
  const [result, reexecute] = useQuery({ query: UnitsQuery, context: UNITS });
  const department = useAction(RegisterDepartmentMutation);
  const point = useAction(RegisterReportingPointMutation);
  const refresh = () => reexecute({ requestPolicy: "network-only" });
  return (
    <>
      <PageTitle title="部门与直报点">承办部门（处室、区县人社局、经办机构）和营商环境直报点。</PageTitle>
      <QueryState fetching={result.fetching} error={result.error} empty={!result.data} retry={refresh}>
        <Row gutter={[16, 16]}>
          <Col xs={24} lg={12}>
            <UnitCard title="承办部门" units={result.data?.departments ?? []} action={department} onRegister={async (v) => { if (await department.run({ input: v }, "部门已登记")) refresh(); }} />
          </Col>
          <Col xs={24} lg={12}>
            <UnitCard title="直报点" units={result.data?.reportingPoints ?? []} action={point} onRegister={async (v) => { if (await point.run({ input: v }, "直报点已登记")) refresh(); }} />
          </Col>
        </Row>
      </QueryState>
    </>
  );
}

function UnitCard({ title, units, action, onRegister }: { title: string; units: Unit[]; action: { fetching: boolean; error: DescribedError | null; clearError: () => void }; onRegister: (v: { id: string; name: string; district: string | null }) => Promise<void> }) {
  const [form] = Form.useForm();
  const [page, setPage] = useState(1);
  return (
    <Card size="small" title={`${title}（${units.length}）`}>
      <Table<Unit>
        rowKey="id"
        size="small"
        dataSource={slicePage(units, page - 1, 10)}
        pagination={{ current: page, pageSize: 10, total: units.length, onChange: setPage, showSizeChanger: false }}
        columns={[
          { title: "编号", dataIndex: "id" },
          { title: "名称", dataIndex: "name" },
          { title: "区县", key: "district", render: (_, u) => u.district ?? "市级" },
        ]}
      />
      <ErrorAlert error={action.error} onClose={action.clearError} />
      <Form form={form} layout="inline" onFinish={async (v) => { await onRegister({ id: v.id.trim(), name: v.name.trim(), district: v.district ?? null }); form.resetFields(); }} style={{ rowGap: 8 }}>
        <Form.Item name="id" rules={[{ required: true, whitespace: true, message: "请填写编号" }]}>
          <Input placeholder="编号" style={{ width: 120 }} />
        </Form.Item>
        <Form.Item name="name" rules={[{ required: true, whitespace: true, message: "请填写名称" }]}>
          <Input placeholder="名称" style={{ width: 200 }} />
        </Form.Item>
        <Form.Item name="district">
          <Select allowClear showSearch placeholder="区县（市级不选）" options={DISTRICT_OPTIONS} style={{ width: 160 }} />
        </Form.Item>
        <Button htmlType="submit" loading={action.fetching}>登记{title}</Button>
      </Form>
    </Card>
  );
}
