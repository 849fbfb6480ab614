import { MinusCircleOutlined, PlusOutlined } from "@ant-design/icons";
import { Button, Card, Col, Form, Input, Row, Select, Space, Table, Tabs } from "antd";
import type { ColumnsType } from "antd/es/table";
import { useState } from "react";
import { Link } from "react-router-dom";
import { useQuery } from "urql";

import { ActionModal } from "../../components/ActionModal";
import { CursorPager } from "../../components/CursorPager";
import { ErrorAlert } from "../../components/ErrorAlert";
import { Phone } from "../../components/Phone";
import { PageTitle, QueryState } from "../../components/common";
import { useAction } from "../../components/useAction";
import type { EnterprisesQuery as Result } from "../../gql/graphql";
import { DISTRICT_OPTIONS } from "../../lib/districts";
import { currentAfter, firstPage, nextPage, previousPage } from "../../lib/pagination";
import { ENTERPRISES } from "../../client";
import { AssignCommissionerMutation, EnterprisesQuery, RegisterEnterpriseMutation } from "../../operations";

type Row = Result["enterprises"]["edges"][number]["node"];
const PAGE = 20;

interface Registration {
  uscc: string;
  name: string;
  district: string;
  industry?: string;
  address?: string;
  contacts?: { name: string; phone: string; title?: string }[];
}

/** 企业管理: register an enterprise, assign or hand over its commissioner. */
export default function AdminEnterprises() {
  const [tab, setTab] = useState("list");
  return (
    <>
      <PageTitle title="企业管理">登记服务企业（统一社会信用代码校验），分配或交接服务专员。</PageTitle>
      <Tabs
        activeKey={tab}
        onChange={setTab}
        items={[
          { key: "list", label: "企业名录", children: <EnterpriseTable /> },
          { key: "register", label: "登记企业", children: <RegisterForm onDone={() => setTab("list")} /> },
        ]}
      />
    </>
  );
}

function RegisterForm({ onDone }: { onDone: () => void }) {
  const register = useAction(RegisterEnterpriseMutation);
  const [form] = Form.useForm<Registration>();
  return (
    <Card size="small" style={{ maxWidth: 760 }}>
      <ErrorAlert error={register.error} onClose={register.clearError} />
      <Form<Registration>
        form={form}
        layout="vertical"
        disabled={register.fetching}
        initialValues={{ contacts: [{ name: "", phone: "" }] }}
        onFinish={async (v) => {
          const contacts = (v.contacts ?? []).filter((c) => c?.name?.trim() && c?.phone?.trim()).map((c) => ({ name: c.name.trim(), phone: c.phone.trim(), title: c.title?.trim() || null }));
          const done = await register.run(
            { input: { uscc: v.uscc.trim().toUpperCase(), name: v.name.trim(), district: v.district, industry: v.industry?.trim() || null, address: v.address?.trim() || null, contacts } },
            "企业已登记",
          );
          if (done) {
            form.resetFields();
            onDone();
          }
        }}
      >
        <Row gutter={12}>
          <Col xs={24} md={12}>
            <Form.Item name="uscc" label="统一社会信用代码" rules={[{ required: true, message: "请填写统一社会信用代码" }, { len: 18, message: "统一社会信用代码为18位" }]} normalize={(v: string) => v?.toUpperCase().replace(/\s/g, "")}>
              <Input maxLength={18} placeholder="18位代码" />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item name="name" label="企业名称" rules={[{ required: true, whitespace: true, message: "请填写企业名称" }]}>
              <Input maxLength={100} />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item name="district" label="所属区县" rules={[{ required: true, message: "请选择所属区县" }]}>
              <Select showSearch options={DISTRICT_OPTIONS} placeholder="选择区县" />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item name="industry" label="所属产业">
              <Input maxLength={50} />
            </Form.Item>
          </Col>
          <Col span={24}>
            <Form.Item name="address" label="地址">
              <Input maxLength={200} />
            </Form.Item>
          </Col>
        </Row>
        <Form.List name="contacts">
          {(fields, { add, remove }) => (
            <>
              {fields.map((f) => (
                <Space key={f.key} align="baseline" wrap>
                  <Form.Item name={[f.name, "name"]} label="联系人">
                    <Input maxLength={30} />
                  </Form.Item>
                  <Form.Item name={[f.name, "phone"]} label="联系电话">
                    <Input maxLength={30} />
                  </Form.Item>
                  <Form.Item name={[f.name, "title"]} label="职务">
                    <Input maxLength={30} />
                  </Form.Item>
                  <MinusCircleOutlined aria-label="删除联系人" onClick={() => remove(f.name)} />
                </Space>
              ))}
              <Form.Item>
                <Button type="dashed" onClick={() => add()} icon={<PlusOutlined />}>
                  添加联系人
                </Button>
              </Form.Item>
            </>
          )}
        </Form.List>
        <Button type="primary" htmlType="submit" loading={register.fetching}>
          登记
        </Button>
      </Form>
    </Card>
  );
}

function EnterpriseTable() {
  const [pages, setPages] = useState(firstPage);
  const [search, setSearch] = useState("");
  const [district, setDistrict] = useState<string | null>(null);
  const [assigning, setAssigning] = useState<Row | null>(null);
  const assign = useAction(AssignCommissionerMutation);
  const [result, reexecute] = useQuery({ query: EnterprisesQuery, variables: { filter: { search: search || null, district }, first: PAGE, after: currentAfter(pages) }, context: ENTERPRISES });
  const connection = result.data?.enterprises;
  const rows = connection?.edges.map((e) => e.node) ?? [];

  const columns: ColumnsType<Row> = [
    { title: "企业名称", key: "name", render: (_, r) => <Link to={`/enterprises/${r.id}`}>{r.name}</Link> },
    { title: "统一社会信用代码", dataIndex: "uscc" },
    { title: "所属区县", dataIndex: "district" },
    { title: "联系人", key: "contacts", render: (_, r) => r.contacts.map((c) => <div key={c.name + c.phone}>{c.name} <Phone phone={c.phone} /></div>) },
    { title: "服务专员", key: "commissioner", render: (_, r) => r.commissioner?.name ?? "未分配" },
    { title: "操作", key: "action", render: (_, r) => <Button size="small" onClick={() => { assign.clearError(); setAssigning(r); }}>{r.commissioner ? "交接专员" : "分配专员"}</Button> },
  ];

  return (
    <>
      <Space wrap style={{ marginBottom: 12 }}>
        <Input.Search allowClear placeholder="企业名称或信用代码" onSearch={(v) => { setSearch(v.trim()); setPages(firstPage()); }} style={{ width: 260 }} />
        <Select allowClear showSearch placeholder="所属区县" options={DISTRICT_OPTIONS} style={{ width: 180 }} onChange={(v) => { setDistrict(v ?? null); setPages(firstPage()); }} />
      </Space>
      <QueryState fetching={result.fetching} error={result.error} empty={!connection || connection.totalCount === 0} emptyText="暂无企业" retry={() => reexecute({ requestPolicy: "network-only" })}>
        <Table<Row> rowKey="id" columns={columns} dataSource={rows} pagination={false} scroll={{ x: true }} />
        <CursorPager pages={pages} total={connection?.totalCount ?? 0} size={PAGE} hasNext={!!connection?.pageInfo.hasNextPage} onPrevious={() => setPages(previousPage)} onNext={() => setPages((p) => nextPage(p, connection?.pageInfo.endCursor))} />
      </QueryState>
      <ActionModal<{ commissionerId: string; commissionerName: string; reason?: string }>
        title={assigning?.commissioner ? `交接服务专员：${assigning?.name}` : `分配服务专员：${assigning?.name ?? ""}`}
        okText="确认"
        open={!!assigning}
        busy={assign.fetching}
        error={assign.error}
        onCancel={() => setAssigning(null)}
        onSubmit={async (v) => {
          if (!assigning) return;
          const done = await assign.run({ input: { enterpriseId: assigning.id, commissionerId: v.commissionerId.trim(), commissionerName: v.commissionerName.trim(), reason: v.reason?.trim() || null } }, "服务专员已分配");
          if (done) {
            setAssigning(null);
            reexecute({ requestPolicy: "network-only" });
          }
        }}
      >
        <Form.Item name="commissionerId" label="专员用户ID" rules={[{ required: true, whitespace: true, message: "请填写专员用户ID" }]}>
          <Input placeholder="例如 c-001" />
        </Form.Item>
        <Form.Item name="commissionerName" label="专员姓名" rules={[{ required: true, whitespace: true, message: "请填写专员姓名" }]}>
          <Input />
        </Form.Item>
        {assigning?.commissioner && (
          <Form.Item name="reason" label="交接原因">
            <Input.TextArea rows={2} />
          </Form.Item>
        )}
      </ActionModal>
    </>
  );
}
