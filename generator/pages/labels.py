"""Site labels in English and Korean. Field and criterion titles come from the schema
(``title`` / ``x-mlfolio-title-ko``); these are the words around them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

LANGUAGES = ("en", "ko")

STAGES = {
    "en": {
        "problem_definition": "Problem definition", "project_design": "Project design",
        "baseline_prototype": "Baseline & prototype", "development": "Development",
        "deployed": "Deployed", "monitoring": "Monitoring", "retired": "Retired",
    },
    "ko": {
        "problem_definition": "문제 정의", "project_design": "프로젝트 설계",
        "baseline_prototype": "베이스라인·프로토타입", "development": "모델 개발",
        "deployed": "배포", "monitoring": "모니터링", "retired": "종료",
    },
}

VERDICTS = {
    "en": {
        "recommended": "Recommended", "proceed_with_caution": "Proceed with caution",
        "not_recommended": "Not recommended", "undetermined": "Undetermined",
    },
    "ko": {
        "recommended": "추천", "proceed_with_caution": "주의하여 진행",
        "not_recommended": "비추천", "undetermined": "판단 보류",
    },
}

ANSWERS = {
    "en": {"yes": "Yes", "no": "No", "partly": "Partly", "unknown": "Unknown", "missing": "Not answered"},
    "ko": {"yes": "예", "no": "아니오", "partly": "부분적", "unknown": "모름", "missing": "미응답"},
}

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "portfolio": "ML project portfolio",
        "portfolio_intro": "Every ML project we are considering or running: what it solves, whether ML is the right tool, "
                           "and how far along it is.",
        "projects": "Projects", "project": "Project", "title": "Title", "team": "Team", "teams": "Teams",
        "stage": "Stage", "stages": "Stages", "verdict": "Verdict", "readiness": "Readiness", "updated": "Updated",
        "tags": "Tags", "by_team": "By team", "by_stage": "By stage", "by_tag": "By tag",
        "by_verdict": "By verdict", "count": "Projects",
        "overview": "Overview", "problem": "Problem", "feasibility": "Feasibility", "goals": "Goals & metrics",
        "constraints": "Constraints", "data": "Data & baseline", "deployment": "Deployment & monitoring",
        "owners": "Owners", "sme": "Subject-matter expert", "summary": "Summary", "business_goal": "Business goal",
        "key_metrics": "Key metrics", "links": "Links", "lifecycle": "Lifecycle",
        "not_written": "Not written yet", "required_from": "required from stage",
        "optional": "optional", "missing": "Still missing", "complete": "Everything this stage requires is written.",
        "computed_verdict": "Computed verdict", "decided_by": "Decided by", "rule": "Rule",
        "override": "Reviewer override", "override_note": "A reviewer overrode the computed verdict.",
        "criterion": "Criterion", "answer": "Answer", "evidence": "Evidence",
        "reasons_for": "Reasons for ML", "reasons_against": "Reasons against ML", "risks": "Risks",
        "no_rule_matched": "No rule matched: every reason for ML holds and no reason against it does.",
        "how_verdicts": "How verdicts are decided",
        "metric": "Metric", "kind": "Kind", "direction": "Direction", "current": "Current", "target": "Target",
        "baseline": "Best baseline", "unit": "Unit", "maximize": "higher is better", "minimize": "lower is better",
        "model": "model", "business": "business", "results": "Results",
        "section": "Section", "of": "of", "required": "Required", "done": "done",
        "edit_spec": "Edit the spec", "source": "Source", "warnings": "Reviewer warnings",
        "all_projects": "All projects", "none": "None",
        "verdict_rules_intro": "The verdict is computed from the feasibility answers, never typed by hand. "
                               "Rules are tried in order; the first rule that fires decides, "
                               "and the project page lists the answers that made it fire. A rule fires when at least one answer "
                               "(or the number it names) meets one of its conditions. An answer left out counts as unknown. "
                               "If no rule fires, the verdict is Recommended. "
                               "A reviewer may record an override with a reason; the computed verdict is still shown.",
        "condition": "Condition", "any_of": "any of", "then": "Verdict", "otherwise": "Otherwise",
        "at_least_of": "at least {n} answers meeting any of", "rule_id": "Rule",
        "spec_reference": "Spec reference", "write_a_spec": "Write a spec",
        "reviewer": "Reviewer", "reason": "Reason", "date": "Date",
        "other_sections": "Other sections",
        "toward": "toward",
        "readiness_heading": "Readiness: {percent}% toward {stage}",
        "must_beat": "What it must beat",
        "baseline_to_beat": "Baseline to beat",
        "watched": "How it is watched",
        "alert_below": "alert below",
        "alert_above": "alert above",
        "last_observed": "last observed", "alerting": "the alert is raised", "within_threshold": "within the threshold",
        "retraining_triggers": "retraining triggers",
        "concerns": "What could go wrong",
        "no_concerns": "Every feasibility question is answered in favour of ML, with evidence: no reason against ML, "
                       "project risk or open question is recorded. Still missing sections would be listed here.",
        "concerns_missing": "Not written yet", "needed_for": "needed for {stage}",
        "acknowledged_unethical": "The reviewer overrides a problem judged unethical (against_ml.unethical = yes), and says so.",
        "evidence_source": "source",
        "lifecycle_diagram": "Lifecycle diagram",
        "override_short": "override",
        "build_problems": "Specs left out of this preview",
        "build_problems_note": "These specs have errors, so their pages are not built. Fix them and save: the site rebuilds.",
        "question": "Question",
        "created_updated": "Created → updated",
        "baselines_vs_targets": "Baselines against the targets",
        "readiness_note": "Readiness counts what the current and the next stage require; validation already enforces the current stage.",
        "permalink": "Permanent link", "at_a_glance": "At a glance", "what_problem": "What problem it solves",
        "not_assessed": "Not assessed yet: the feasibility section is not written.",
        "no_metrics_yet": "No metric with a target yet.", "none_yet": "Not written yet.",
        # history from git, staleness, the portfolio's filters
        "history": "History", "last_changed": "Last changed", "stale": "Stale", "status_stale": "Stale",
        "history_intro": "Every commit that changed this spec, newest first, read from the repository's history.",
        "history_commit": "commit", "history_by": "by", "not_committed": "Not committed yet",
        "stale_text": "untouched for {days} days; the limit at {stage} is {limit}",
        "history_unavailable": "No git history: {why}. Pages show no history, last-changed date or staleness.",
        "history_reason_git": "git is not installed where the site was built",
        "history_reason_repository": "the site was built outside a git checkout (a copy or an archive)",
        "history_reason_shallow": "the checkout is a shallow clone (fetch the full history: `fetch-depth: 0` "
                                  "for actions/checkout, or `git fetch --unshallow`)",
        "history_reason_untracked": "no commit touches the specs folder yet",
        "history_reason_failed": "git could not read the history",
        "event_created": "Created at {stage}", "event_created_invalid": "Created (it did not validate)",
        "event_created_verdict": "Verdict: {verdict}",
        "event_renamed": "Renamed: {old} → {new}", "event_invalid": "Stopped validating ({errors} errors)",
        "event_valid": "Validates again", "event_stage": "Stage: {old} → {new}", "event_verdict": "Verdict: {old} → {new}",
        "event_answer": "{criterion}: {was} → {now}", "event_target": "Target of {metric}: {old} → {new}",
        "event_target_set": "Target of {metric} set: {new}", "event_owners": "Owners: {old} → {new}",
        "event_observed": "Observed {metric}: {new} ({count} new)", "and_more": "and {n} more",
        "event_team": "Team: {old} → {new}", "event_edited": "Edited (no change to stage, verdict, targets or owners)",
        "forward": "forward", "backward": "backward", "more_ambitious": "more ambitious", "less_ambitious": "less ambitious",
        "active_projects": "Active projects", "retired_projects": "Retired projects", "recent_changes": "What changed recently",
        "no_recent_changes": "No change recorded yet.", "key_metric": "Key metric", "projects_csv": "projects.csv",
        "all": "All", "filter_heading": "Filter the projects", "clear_filters": "Clear filters",
        "download_csv": "Download this view (CSV)", "showing": "Showing {shown} of {total} projects", "no_match": "No project matches.",
        "more_rows_noscript": "Without JavaScript, the first {shown} of these {total} projects are listed here; every project is on:",
        # outcomes: observations, statuses, the A/B result, the evaluation
        "before": "Before", "latest": "Latest", "status": "Status",
        "status_target_met": "Target met", "status_on_track": "On track", "status_off_track": "Off track",
        "status_no_data": "No data",
        "chart_latest_of": "The chart shows the latest {shown} of {total} observations.",
        "observations_expected": "No observation recorded yet: a released project records what its metrics do, "
                                 "as observations under each metric (date, value, where it was measured).",
        "outcome_note": "Status, in the metric's direction: target met when the latest observation reaches the target; "
                        "on track when it is better than the value before; off track when it is not.",
        "beats_baseline": "beats the baseline", "below_baseline": "does not beat the baseline",
        "below_target": "below target", "whole_set": "whole set", "computed": "computed",
        "against": "Against",
        "evaluation_note": "The best baseline is the best one measured on the same data set; a segment has none.",
        "chart_legend": "In each chart the dashed line is the target, the dotted line the value before, "
                        "and the dots the observations (the latest is larger).",
    },
    "ko": {
        "portfolio": "ML 프로젝트 포트폴리오",
        "portfolio_intro": "검토 중이거나 진행 중인 모든 ML 프로젝트: 무엇을 해결하는지, 머신러닝이 맞는 도구인지, 어디까지 왔는지.",
        "projects": "프로젝트", "project": "프로젝트", "title": "제목", "team": "팀", "teams": "팀",
        "stage": "단계", "stages": "단계", "verdict": "판정", "readiness": "준비도", "updated": "수정일",
        "tags": "태그", "by_team": "팀별", "by_stage": "단계별", "by_tag": "태그별",
        "by_verdict": "판정별", "count": "프로젝트 수",
        "overview": "개요", "problem": "문제 정의", "feasibility": "타당성", "goals": "목표와 지표",
        "constraints": "제약 조건", "data": "데이터와 베이스라인", "deployment": "배포와 모니터링",
        "owners": "담당자", "sme": "직무 전문가", "summary": "요약", "business_goal": "비즈니스 목표",
        "key_metrics": "핵심 지표", "links": "링크", "lifecycle": "라이프 사이클",
        "not_written": "아직 작성되지 않음", "required_from": "필수 단계",
        "optional": "선택", "missing": "아직 빠진 항목", "complete": "현재 단계에 필요한 항목이 모두 작성되었습니다.",
        "computed_verdict": "계산된 판정", "decided_by": "판정 근거", "rule": "규칙",
        "override": "검토자 재정의", "override_note": "검토자가 계산된 판정을 재정의했습니다.",
        "criterion": "기준", "answer": "답변", "evidence": "근거",
        "reasons_for": "머신러닝이 사용되면 좋은 경우", "reasons_against": "머신러닝을 사용하면 좋지 않은 경우", "risks": "위험",
        "no_rule_matched": "일치하는 규칙 없음: 머신러닝을 써야 할 이유가 모두 성립하고 반대 이유는 없습니다.",
        "how_verdicts": "판정 방식",
        "metric": "지표", "kind": "종류", "direction": "방향", "current": "현재", "target": "목표",
        "baseline": "최고 베이스라인", "unit": "단위", "maximize": "높을수록 좋음", "minimize": "낮을수록 좋음",
        "model": "모델", "business": "비즈니스", "results": "결과",
        "section": "섹션", "of": "/", "required": "필수", "done": "완료",
        "edit_spec": "명세 편집", "source": "원본", "warnings": "검토 경고",
        "all_projects": "전체 프로젝트", "none": "없음",
        "verdict_rules_intro": "판정은 타당성 답변으로부터 계산되며 사람이 직접 입력하지 않습니다. "
                               "규칙은 순서대로 적용되고, 먼저 성립하는 규칙이 판정을 결정하며, "
                               "프로젝트 페이지에 그 규칙을 성립시킨 답변이 표시됩니다. 규칙은 조건 중 하나를 만족하는 답변이 "
                               "하나 이상(또는 규칙이 정한 수 이상) 있을 때 성립합니다. 빠진 답변은 '모름'으로 봅니다. "
                               "성립하는 규칙이 없으면 추천입니다. "
                               "검토자는 사유와 함께 재정의를 기록할 수 있으며, 계산된 판정도 함께 표시됩니다.",
        "condition": "조건", "any_of": "다음 중 하나", "then": "판정", "otherwise": "그 외",
        "at_least_of": "다음 중 하나를 만족하는 답변 {n}개 이상", "rule_id": "규칙",
        "spec_reference": "명세 레퍼런스", "write_a_spec": "명세 작성 가이드",
        "reviewer": "검토자", "reason": "사유", "date": "날짜",
        "other_sections": "다른 섹션",
        "toward": "다음 단계:",
        "readiness_heading": "준비도: {percent}% (다음 단계 {stage} 기준)",
        "must_beat": "넘어야 할 기준",
        "baseline_to_beat": "넘어야 할 베이스라인",
        "watched": "모니터링 방법",
        "alert_below": "미만이면 알림",
        "alert_above": "초과하면 알림",
        "last_observed": "최근 관측값", "alerting": "알림 조건에 해당", "within_threshold": "임계값 이내",
        "retraining_triggers": "재학습 트리거",
        "concerns": "무엇이 잘못될 수 있나",
        "no_concerns": "모든 타당성 질문에 머신러닝에 유리한 답과 근거가 있습니다: 기록된 반대 이유, 프로젝트 위험, "
                       "열린 질문이 없습니다. 빠진 섹션이 있으면 여기에 표시됩니다.",
        "concerns_missing": "아직 작성되지 않음", "needed_for": "{stage} 단계에 필요",
        "acknowledged_unethical": "검토자가 비윤리적이라고 판단된 문제(against_ml.unethical = 예)를 재정의하며, 이를 명시했습니다.",
        "evidence_source": "출처",
        "lifecycle_diagram": "라이프 사이클 다이어그램",
        "override_short": "재정의",
        "build_problems": "이 미리보기에서 빠진 명세",
        "build_problems_note": "오류가 있는 명세는 페이지가 만들어지지 않습니다. 고치고 저장하면 사이트가 다시 빌드됩니다.",
        "question": "질문",
        "created_updated": "작성일 → 수정일",
        "baselines_vs_targets": "베이스라인과 목표 비교",
        "readiness_note": "준비도는 현재 단계와 다음 단계가 요구하는 항목을 셉니다. 현재 단계의 항목은 검증에서 이미 확인됩니다.",
        "permalink": "고유 링크", "at_a_glance": "한눈에 보기", "what_problem": "해결하려는 문제",
        "not_assessed": "아직 평가되지 않음: 타당성 섹션이 작성되지 않았습니다.",
        "no_metrics_yet": "목표가 있는 지표가 아직 없습니다.", "none_yet": "아직 작성되지 않음.",
        # history from git, staleness, the portfolio's filters
        "history": "변경 이력", "last_changed": "최근 변경", "stale": "정체", "status_stale": "정체",
        "history_intro": "이 명세를 바꾼 모든 커밋을 최신순으로 보여 줍니다(저장소의 git 이력).",
        "history_commit": "커밋", "history_by": "작성자", "not_committed": "아직 커밋되지 않음",
        "stale_text": "{days}일째 변경 없음 ({stage} 단계 기준 {limit}일)",
        "history_unavailable": "git 이력 없음: {why}. 페이지에 변경 이력, 최근 변경일, 정체 여부가 표시되지 않습니다.",
        "history_reason_git": "사이트를 빌드한 곳에 git이 설치되어 있지 않습니다",
        "history_reason_repository": "git 체크아웃이 아닌 곳(복사본이나 압축 파일)에서 빌드했습니다",
        "history_reason_shallow": "얕은 클론입니다(전체 이력을 가져오세요: actions/checkout의 `fetch-depth: 0`, "
                                  "또는 `git fetch --unshallow`)",
        "history_reason_untracked": "명세 폴더를 건드린 커밋이 아직 없습니다",
        "history_reason_failed": "git이 이력을 읽지 못했습니다",
        "event_created": "{stage} 단계로 작성", "event_created_invalid": "작성(검증 실패 상태)",
        "event_created_verdict": "판정: {verdict}",
        "event_renamed": "이름 변경: {old} → {new}", "event_invalid": "검증 실패 (오류 {errors}개)",
        "event_valid": "다시 검증 통과", "event_stage": "단계: {old} → {new}", "event_verdict": "판정: {old} → {new}",
        "event_answer": "{criterion}: {was} → {now}", "event_target": "{metric} 목표: {old} → {new}",
        "event_target_set": "{metric} 목표 설정: {new}", "event_owners": "담당자: {old} → {new}",
        "event_observed": "{metric} 관측: {new} (새 관측값 {count}개)", "and_more": "외 {n}건",
        "event_team": "팀: {old} → {new}", "event_edited": "수정 (단계, 판정, 목표, 담당자 변화 없음)",
        "forward": "앞으로", "backward": "뒤로", "more_ambitious": "더 높은 목표", "less_ambitious": "더 낮은 목표",
        "active_projects": "진행 중인 프로젝트", "retired_projects": "종료된 프로젝트", "recent_changes": "최근 변경 사항",
        "no_recent_changes": "기록된 변경이 아직 없습니다.", "key_metric": "핵심 지표", "projects_csv": "projects.csv",
        "all": "전체", "filter_heading": "프로젝트 필터", "clear_filters": "필터 지우기",
        "download_csv": "현재 보기 내려받기 (CSV)", "showing": "프로젝트 {total}개 중 {shown}개 표시",
        "no_match": "조건에 맞는 프로젝트가 없습니다.",
        "more_rows_noscript": "JavaScript 없이는 이 프로젝트 {total}개 중 처음 {shown}개만 보입니다. 모든 프로젝트 보기:",
        # outcomes: observations, statuses, the A/B result, the evaluation
        "before": "도입 전", "latest": "최근 값", "status": "상태",
        "status_target_met": "목표 달성", "status_on_track": "개선 중", "status_off_track": "개선 없음",
        "status_no_data": "데이터 없음",
        "chart_latest_of": "차트는 관측값 {total}개 중 최근 {shown}개를 보여 줍니다.",
        "observations_expected": "아직 기록된 관측값이 없습니다: 배포된 프로젝트는 각 지표 아래 observations에 "
                                 "지표의 실제 값(날짜, 값, 측정 출처)을 기록합니다.",
        "outcome_note": "상태는 지표의 방향에 따라 정해집니다: 최근 관측값이 목표에 닿으면 목표 달성, "
                        "도입 전 값보다 좋으면 개선 중, 그렇지 않으면 개선 없음.",
        "beats_baseline": "베이스라인보다 좋음", "below_baseline": "베이스라인을 넘지 못함",
        "below_target": "목표 미달", "whole_set": "전체", "computed": "계산값",
        "against": "비교",
        "evaluation_note": "최고 베이스라인은 같은 데이터셋에서 측정한 베이스라인 중 가장 좋은 것입니다. "
                           "세그먼트에는 베이스라인이 없습니다.",
        "chart_legend": "차트의 파선은 목표, 점선은 도입 전 값, 점은 관측값입니다(가장 최근 값은 더 큰 점).",
    },
}


class Labels:
    """Labels for one language, with schema titles for fields."""

    def __init__(self, language: str) -> None:
        self.language = language if language in LANGUAGES else "en"

    def __getitem__(self, key: str) -> str:
        return LABELS[self.language].get(key) or LABELS["en"][key]

    def stage(self, stage: str) -> str:
        return STAGES[self.language].get(stage, stage)

    def verdict(self, verdict: str) -> str:
        return VERDICTS[self.language].get(verdict, verdict)

    def answer(self, answer: str) -> str:
        return ANSWERS[self.language].get(answer, answer)

    def format(self, key: str, **values: Any) -> str:
        return self[key].format(**values)

    def criterion(self, criterion: Any) -> str:
        """A feasibility criterion's title in the site's language."""
        return str(criterion.title_ko if self.language == "ko" and criterion.title_ko else criterion.title)

    def question(self, criterion: Any) -> str:
        """A feasibility criterion's question in the site's language."""
        return str(criterion.question_ko if self.language == "ko" and criterion.question_ko else criterion.question)

    def rule_reason(self, rule: Any) -> str:
        """A verdict rule's reason in the site's language, falling back to the one written."""
        return str(rule.reason_ko if self.language == "ko" and rule.reason_ko else rule.reason)

    def field(self, schema_node: Mapping[str, Any], fallback: str) -> str:
        """A field's label from its schema node: Korean title when the site is Korean."""
        if self.language == "ko" and schema_node.get("x-mlfolio-title-ko"):
            return str(schema_node["x-mlfolio-title-ko"])
        return str(schema_node.get("title") or fallback)
