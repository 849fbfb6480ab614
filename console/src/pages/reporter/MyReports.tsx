import { IssueList } from "../../components/IssueList";
import { PageTitle } from "../../components/common";

/** 我的直报: this point's own reports and where each stands. */
export default function MyReports() {
  return (
    <>
      <PageTitle title="我的直报">本直报点提交的问题及其办理状态；打开可查看办理过程和答复。</PageTitle>
      <IssueList filter={{ kind: "DIRECT_REPORT" }} columns={["category", "status", "raisedAt", "department", "resolvedAt"]} emptyText="尚未提交直报" />
    </>
  );
}
