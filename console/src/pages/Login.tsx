import { Alert, Button, Card, Form, Input, Radio, Select, Space, Typography } from "antd";
import { useEffect, useMemo, useState } from "react";
import { useNavigate } from "react-router-dom";

import type { Role } from "../gql/graphql";
import { ROLE_LABELS } from "../lib/labels";
import { decodeClaims, isExpired } from "../lib/session";
import { splitList } from "../lib/idempotency";

interface Person {
  role: Role;
  sub: string;
  name: string;
  departmentId?: string;
  reportingPointId?: string;
}
interface Unit {
  id: string;
  name: string;
  district: string | null;
}
interface DevChoices {
  people: Person[];
  departments: Unit[];
  reportingPoints: Unit[];
}

const ROLES: Role[] = ["COMMISSIONER", "DEPARTMENT", "SUPERVISOR", "REPORTER", "ADMIN"];

/** 登录: in development pick a role and a person (the server's /dev/token); in a deployment the
 * bureau's sign-on hands a token (in the address's #token=…, or pasted here). */
export function Login({ onSignIn }: { onSignIn: (token: string) => void }) {
  const navigate = useNavigate();
  const [choices, setChoices] = useState<DevChoices | null | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [form] = Form.useForm();
  const role: Role = Form.useWatch("role", form) ?? "COMMISSIONER";

  useEffect(() => {
    const fromSignOn = new URLSearchParams(window.location.hash.slice(1)).get("token");
    if (fromSignOn) {
      window.history.replaceState(null, "", window.location.pathname);
      accept(fromSignOn);
      return;
    }
    fetch("/dev/token", { headers: { Accept: "application/json" } })
      .then(async (r) => {
        const type = r.headers.get("content-type") ?? "";
        setChoices(r.ok && type.includes("json") ? ((await r.json()) as DevChoices) : null);
      })
      .catch(() => setChoices(null));
  }, []); // eslint-disable-line react-hooks/exhaustive-deps

  const people = useMemo(() => (choices?.people ?? []).filter((p) => p.role === role), [choices, role]);

  function accept(token: string) {
    const claims = decodeClaims(token.trim());
    if (!claims) return setError("令牌格式不正确");
    if (isExpired(claims)) return setError("令牌已过期，请重新获取");
    onSignIn(token.trim());
    navigate("/", { replace: true });
  }

  function pick(sub: string) {
    const person = people.find((p) => p.sub === sub);
    if (person) form.setFieldsValue({ ...person });
  }

  async function devSignIn(values: Record<string, string>) {
    setBusy(true);
    setError(null);
    try {
      const response = await fetch("/dev/token", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({
          role: values.role,
          sub: values.sub,
          name: values.name,
          departmentId: values.departmentId,
          reportingPointId: values.reportingPointId,
          districts: splitList(values.districts),
        }),
      });
      const body = await response.json();
      if (!response.ok) {
        setError(typeof body.detail === "string" ? body.detail : "登录信息不完整，请检查后重试");
        return;
      }
      accept(body.token as string);
    } catch {
      setError("无法连接服务器，请稍后重试");
    } finally {
      setBusy(false);
    }
  }

  return (
    <div style={{ minHeight: "100vh", background: "#f0f4fa", display: "flex", justifyContent: "center", alignItems: "flex-start", padding: "8vh 12px" }}>
      <Card style={{ width: "100%", maxWidth: 460 }}>
        <Typography.Title level={3} style={{ textAlign: "center" }}>
          企业服务包管理平台
        </Typography.Title>
        <Typography.Paragraph type="secondary" style={{ textAlign: "center" }}>
          人力资源和社会保障局 · 企业服务包与营商环境直报
        </Typography.Paragraph>
        {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
        {choices === undefined ? null : choices ? (
          <>
            <Alert type="warning" showIcon style={{ marginBottom: 16 }} title="开发环境登录：选择角色和人员，仅在开发环境可用" />
            <Form form={form} layout="vertical" onFinish={devSignIn} initialValues={{ role: "COMMISSIONER", ...choices.people.find((p) => p.role === "COMMISSIONER") }}>
              <Form.Item name="role" label="角色">
                <Radio.Group
                  optionType="button"
                  options={ROLES.map((r) => ({ value: r, label: ROLE_LABELS[r] }))}
                  onChange={(e) => {
                    const first = choices.people.find((p) => p.role === e.target.value);
                    form.setFieldsValue({ sub: first?.sub ?? "", name: first?.name ?? "", departmentId: first?.departmentId, reportingPointId: first?.reportingPointId });
                  }}
                />
              </Form.Item>
              {people.length > 0 && (
                <Form.Item label="常用人员">
                  <Select
                    aria-label="常用人员"
                    placeholder="选择人员"
                    onChange={pick}
                    options={people.map((p) => ({ value: p.sub, label: `${p.name}（${p.sub}）` }))}
                  />
                </Form.Item>
              )}
              <Space.Compact style={{ width: "100%" }}>
                <Form.Item name="sub" label="用户ID" rules={[{ required: true, message: "请填写用户ID" }]} style={{ width: "40%" }}>
                  <Input autoComplete="off" />
                </Form.Item>
                <Form.Item name="name" label="姓名" rules={[{ required: true, message: "请填写姓名" }]} style={{ width: "60%" }}>
                  <Input autoComplete="off" />
                </Form.Item>
              </Space.Compact>
              {role === "DEPARTMENT" && (
                <Form.Item name="departmentId" label="所属部门" rules={[{ required: true, message: "请选择所属部门" }]}>
                  <Select
                    showSearch={{ optionFilterProp: "label" }}
                    placeholder="选择部门"
                    options={choices.departments.map((d) => ({ value: d.id, label: d.name }))}
                  />
                </Form.Item>
              )}
              {role === "REPORTER" && (
                <Form.Item name="reportingPointId" label="所属直报点" rules={[{ required: true, message: "请选择所属直报点" }]}>
                  <Select
                    showSearch={{ optionFilterProp: "label" }}
                    placeholder="选择直报点"
                    options={choices.reportingPoints.map((d) => ({ value: d.id, label: d.name }))}
                  />
                </Form.Item>
              )}
              {role === "SUPERVISOR" && (
                <Form.Item name="districts" label="负责区县（可选，多个用顿号分隔；不填为全市）">
                  <Input placeholder="例如：渝中区、江北区" />
                </Form.Item>
              )}
              <Button type="primary" htmlType="submit" block loading={busy}>
                登录
              </Button>
            </Form>
          </>
        ) : (
          <TokenForm onToken={accept} />
        )}
      </Card>
    </div>
  );
}

function TokenForm({ onToken }: { onToken: (token: string) => void }) {
  const [token, setToken] = useState("");
  return (
    <Space orientation="vertical" style={{ width: "100%" }}>
      <Alert type="info" showIcon title="请通过局统一身份认证登录" description="统一身份认证登录后会自动返回本页面；也可粘贴认证系统签发的访问令牌。" />
      <Input.TextArea rows={4} value={token} onChange={(e) => setToken(e.target.value)} placeholder="访问令牌" aria-label="访问令牌" />
      <Button type="primary" block disabled={!token.trim()} onClick={() => onToken(token)}>
        登录
      </Button>
    </Space>
  );
}
