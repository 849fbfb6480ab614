import { IssueList } from "../../components/IssueList";
import { PageTitle } from "../../components/common";

/** 待派单: raised and waiting for a supervisor to dispatch (or decline). */
export default function DispatchQueue() {
  return (
    <>
      <PageTitle title="待派单">服务专员提出的企业诉求和直报点提交的问题，打开后派单给承办部门或不予受理。</PageTitle>
      <IssueList filter={{ status: ["RAISED"] }} columns={["source", "category", "raisedAt"]} emptyText="没有待派单的诉求" />
    </>
  );
}
