"""Chinese and English labels of the planners' headline figures and parameters.

The plan pages, the plan workbooks and the scenario commands name each key of
a result's ``summary`` and ``parameters`` with these labels. A key without a
label is printed as it is.
"""

from __future__ import annotations

SUMMARY_LABELS: dict[str, tuple[str, str]] = {
    "total_cost": ("总费用（元）", "Total cost (yuan)"),
    "cost_hire": ("新聘教师费用（元）", "Hiring cost (yuan)"),
    "cost_transfer": ("教师调配费用（元）", "Transfer cost (yuan)"),
    "cost_floor_area": ("校舍建设费用（元）", "Floor area cost (yuan)"),
    "cost_sports_area": ("体育场馆建设费用（元）", "Sports area cost (yuan)"),
    "cost_equipment": ("教学仪器设备费用（元）", "Equipment cost (yuan)"),
    "cost_classrooms": ("多媒体教室费用（元）", "Multimedia classroom cost (yuan)"),
    "solver": ("求解器", "Solver"),
    "solver_status": ("求解状态码", "Solver status code"),
    "iterations": ("迭代次数", "Iterations"),
    "cuts": ("割平面数", "Cuts"),
    "gap": ("相对最优性间隙", "Relative optimality gap"),
    "lower_bound": ("费用下界（元）", "Cost lower bound (yuan)"),
    "solve_seconds": ("求解用时（秒）", "Solve time (s)"),
    "passes_before": ("调整前资源配置是否达标", "Part 1 passed before"),
    "core_confirms_pass": ("评估核心复核达标", "Evaluation confirms pass"),
    "teachers": ("教师人数", "Teachers"),
    "eligible": ("符合交流条件的教师", "Eligible teachers"),
    "eligible_backbone": ("符合条件的骨干教师", "Eligible backbone teachers"),
    "min_rotated": ("最少交流人数", "Minimum rotated"),
    "max_rotated": ("最多交流人数", "Maximum rotated"),
    "min_backbone_rotated": ("最少交流骨干教师", "Minimum backbone rotated"),
    "method": ("求解方法", "Method"),
    "mip_gap": ("混合整数规划间隙", "MIP gap"),
    "move_variables": ("调动变量数", "Move variables"),
    "rotated": ("交流人数", "Teachers rotated"),
    "backbone_rotated": ("交流骨干教师", "Backbone teachers rotated"),
    "proxy_before": ("调整前差异代理值", "Proxy before"),
    "proxy_after": ("调整后差异代理值", "Proxy after"),
    "school_sections": ("学校学段数", "School sections"),
    "strong": ("强校学段", "Strong sections"),
    "weak": ("薄弱学校学段", "Weak sections"),
    "paired": ("结对数", "Pairs"),
    "unpaired": ("未结对薄弱学段", "Unpaired weak sections"),
    "communities": ("教共体数", "Communities"),
    "capacity": ("每所强校最多结对", "Partners per strong section"),
    "total_distance_km": ("结对总距离（千米）", "Total distance (km)"),
    "total_pair_cost": ("结对总代价", "Total pair cost"),
    "located_sections": ("有位置的学校学段", "Located school sections"),
    "pools_truncated": ("候选范围是否截断", "Candidate pools truncated"),
}
"""Summary key → (Chinese label, English label)."""

PARAM_LABELS: dict[str, tuple[str, str]] = {
    "hire_yuan": ("每新聘一名教师费用（元）", "Cost per hire (yuan)"),
    "transfer_yuan": ("每调配一名教师费用（元）", "Cost per transfer (yuan)"),
    "floor_area_yuan_per_m2": ("校舍每平方米造价（元）", "Floor area cost (yuan/m²)"),
    "sports_area_yuan_per_m2": (
        "体育场馆每平方米造价（元）",
        "Sports area cost (yuan/m²)",
    ),
    "equipment_yuan_per_yuan": (
        "每元设备值的费用（元）",
        "Cost per yuan of equipment (yuan)",
    ),
    "multimedia_classroom_yuan": (
        "每间多媒体教室费用（元）",
        "Cost per multimedia classroom (yuan)",
    ),
    "max_hires_per_school": ("每校最多新聘（人）", "Max hires per school"),
    "max_transfers_out_per_school": (
        "每校最多调出（人）",
        "Max transfers out per school",
    ),
    "max_floor_area_m2_per_school": (
        "每校最多新增校舍（平方米）",
        "Max floor area per school (m²)",
    ),
    "max_sports_area_m2_per_school": (
        "每校最多新增体育场馆（平方米）",
        "Max sports area per school (m²)",
    ),
    "time_limit_seconds": ("求解时限（秒）", "Time limit (s)"),
    "mip_rel_gap": ("允许的相对间隙", "Relative MIP gap"),
    "max_iterations": ("最多迭代次数", "Max iterations"),
    "min_years_at_school": ("在校最少年限（年）", "Min years at school"),
    "min_rotation_share": ("最低交流比例", "Min rotation share"),
    "min_backbone_share": ("骨干教师最低占比", "Min backbone share"),
    "max_rotation_share": ("最高交流比例", "Max rotation share"),
    "max_net_change": ("每校学段教师最多净增减（人）", "Max net change per section"),
    "max_distance_km": ("最远距离（千米）", "Max distance (km)"),
    "pe_art_subjects": ("体育艺术学科", "PE and art subjects"),
    "candidate_schools": ("每类候选学校数", "Candidate schools"),
    "exact_max_variables": ("精确求解的最多变量数", "Max variables for exact solve"),
    "capacity": ("每所强校最多结对", "Partners per strong section"),
    "cross_county": ("允许跨县结对", "Pair across counties"),
    "distance_weight": ("距离权重（每千米）", "Distance weight (per km)"),
    "ratio_cap": ("比值上限", "Ratio cap"),
    "candidates": ("每个薄弱学段候选数", "Candidates per weak section"),
    "locations": ("学校位置", "School locations"),
}
"""Parameter key → (Chinese label, English label)."""


def summary_label(key: str, lang: str) -> str:
    """Return the label of summary ``key`` in ``lang``, or ``key`` without one."""
    names = SUMMARY_LABELS.get(key)
    if names is None:
        return key
    return names[0] if lang == "zh" else names[1]
