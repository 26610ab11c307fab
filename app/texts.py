"""Labels of the app in English and Chinese (中文).

Units are never translated: axis labels take them from the dataset's ``units``
attributes; only the words (``long_name``) are looked up here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

__all__ = ["LANGUAGES", "axis_label", "axis_lines", "bound", "lang", "long_name", "t"]

#: Language code → name shown in the switch.
LANGUAGES = {"en": "English", "zh": "中文"}

_TEXTS: dict[str, tuple[str, str]] = {
    # navigation
    "page.scenario": ("Scenario", "情景"),
    "page.compare": ("Compare", "对比"),
    "page.export": ("Export", "导出"),
    # sidebar
    "language": ("Language", "语言"),
    "source.upload": ("Upload my own scenario YAML", "上传自己的情景 YAML"),
    "scenario": ("Scenario", "情景"),
    "upload": ("Scenario YAML (at most 1 MB)", "情景 YAML 文件（不超过 1 MB）"),
    "upload.too_big": (
        "The file is {size:,} bytes; the limit is {limit:,} bytes (1 MB).",
        "文件大小为 {size:,} 字节，超过 {limit:,} 字节（1 MB）的上限。",
    ),
    "upload.none": ("Upload a scenario YAML file to start.", "请上传情景 YAML 文件。"),
    "upload.invalid": ("This scenario cannot be used:", "该情景无法使用："),
    "variant": ("Variant", "变体"),
    "variant.none": ("none: the scenario as written", "无：按文件原样"),
    "assumptions": ("Assumptions", "假设"),
    "scope": ("Apply to", "作用范围"),
    "scope.all": ("all clusters", "所有集群"),
    "scope.help": (
        "Cluster the sliders below change; changing it resets them. Node overheads "
        "belong to hardware and apply wherever it is used.",
        "下方滑块作用的集群；切换会重置滑块。节点功耗系数属于硬件，对所有使用该硬件的集群生效。",
    ),
    "pue": ("PUE", "PUE（电能利用效率）"),
    "pue.help": (
        "Sets the PUE (or the climate model's base) of every cluster in scope. "
        "Scenario: {lo:.3g} to {hi:.3g}.",
        "设置作用范围内各集群的 PUE（气候模型则设其基准值）。情景原值：{lo:.3g} 至 {hi:.3g}。",
    ),
    "utilization": ("Utilisation (mean)", "利用率（平均）"),
    "utilization.help": (
        "Sets the mean busy fraction of every cluster in scope; hourly profiles keep "
        "their shape. "
        "Scenario: {lo:.3g} to {hi:.3g}.",
        "设置作用范围内各集群的平均利用率，逐时曲线保持形状。情景原值：{lo:.3g} 至 {hi:.3g}。",
    ),
    "idle": ("Idle power (fraction of busy power)", "空闲功率（占满载功率比例）"),
    "idle.help": (
        "Power of idle hardware as a fraction of busy power, every cluster in scope. "
        "Scenario: {lo:.3g} to {hi:.3g}.",
        "作用范围内各集群空闲硬件功率占满载功率的比例。情景原值：{lo:.3g} 至 {hi:.3g}。",
    ),
    "climate": ("Climate PUE model", "气候 PUE 模型"),
    "free_cooling": ("Free cooling below [degC]", "自然冷却温度上限 [degC]"),
    "free_cooling.help": (
        "Clusters with a climate PUE model in scope: ambient temperature below which "
        "PUE stays at its base.",
        "作用范围内采用气候 PUE 模型的集群：环境温度低于该值时 PUE 保持基准值。",
    ),
    "pue_slope": ("PUE rise per kelvin above [1/K]", "超出后每开尔文 PUE 增量 [1/K]"),
    "pue_slope.help": (
        "Clusters with a climate PUE model in scope: PUE = min(max, base + slope x "
        "(T - threshold)) above the threshold.",
        "作用范围内采用气候 PUE 模型的集群：高于阈值时 "
        "PUE = min(上限, 基准 + 斜率 ×（T − 阈值）)。",
    ),
    "dispatch": ("Dispatch", "调度"),
    "dispatch.policy": ("Policy", "调度策略"),
    "dispatch.policy.help": (
        "optimize: any cluster within the latency budget; stay_local: each origin at "
        "its home cluster only.",
        "optimize：时延预算内任一集群；stay_local：各需求源只在本地集群。",
    ),
    "dispatch.objective": ("Objective", "优化目标"),
    "dispatch.objective.help": (
        "cost, carbon, or mix (energy cost + carbon price x emissions).",
        "cost（成本）、carbon（碳排放）或 mix（能源成本 + 碳价 × 排放）。",
    ),
    "dispatch.carbon_price": ("Carbon price [CNY/tCO2]", "碳价 [CNY/tCO2]"),
    "dispatch.carbon_price.help": (
        "Carbon weight of the mix objective.",
        "mix 目标中的碳排放权重。",
    ),
    "capacity_scale": ("Capacity × (build-out size)", "装机规模倍数"),
    "capacity_scale.help": (
        "Multiplies every capacity point and addition (compute, MW or racks) in scope.",
        "作用范围内所有装机容量点与新增批次（算力、兆瓦或机架）乘以该倍数。",
    ),
    "delay": ("Build-out delay [year]", "建设延迟 [年]"),
    "delay.help": (
        "Shifts every capacity date and addition year later (grid connection or "
        "chip supply delays).",
        "所有装机日期与新增年份顺延（电网接入或芯片供应延迟）。",
    ),
    "hardware": ("Hardware: node overhead and efficiency", "硬件：节点功耗系数与能效"),
    "efficiency": (
        "{name}: efficiency [GFLOPS/W] ({precision})",
        "{name}：能效 [GFLOPS/W]（{precision}）",
    ),
    "efficiency.help": (
        "Node efficiency of hardware given by efficiency; its other precisions scale with it. "
        "Applies wherever the hardware is used.",
        "直接给出能效的硬件的节点能效；其他精度按同一比例缩放。对所有使用该硬件的集群生效。",
    ),
    "node_overhead": ("{name}: node power / accelerator power", "{name}：节点功率 / 加速卡功率"),
    "node_overhead.none": ("No adjustable hardware here.", "本情景无可调硬件。"),
    "target": ("Capacity target [EFLOPS]", "算力目标 [EFLOPS]"),
    "target.help": (
        "Installed compute at the end of the year shown, at the scenario's reporting "
        "precision ({precision}). Empty: the unmodified scenario's capacity ({planned}).",
        "所示年份年末装机算力，按情景报告精度（{precision}）。留空：取未调整情景的算力（{planned}）。",
    ),
    "year": ("Year shown", "显示年份"),
    "reset": ("Reset to scenario", "恢复情景原值"),
    "save": ("Save this what-if", "保存此假设"),
    "saved": ("Saved as '{label}'.", "已保存为「{label}」。"),
    # results
    "modified": ("what-if: {n} overrides", "假设调整：{n} 项覆盖"),
    "unmodified": ("as in the scenario", "情景原值"),
    "m.energy": ("Annual energy {year}", "{year} 年能耗"),
    "m.peak": ("Peak facility power {year}", "{year} 年峰值设施功率"),
    "m.capacity": ("Capacity end {year} ({precision})", "{year} 年末算力（{precision}）"),
    "m.target": ("Target {target} EFLOPS met?", "达到 {target} EFLOPS 目标？"),
    "yes": ("yes", "是"),
    "no": ("no", "否"),
    "delta.help": ("Change against the unmodified scenario.", "相对未调整情景的变化。"),
    "ops.carbon_mt": ("Carbon {year}", "{year} 年碳排放"),
    "ops.cost_bn_cny": ("Energy cost {year}", "{year} 年能源成本"),
    "ops.renewable_share": ("Renewable share {year}", "{year} 年可再生能源占比"),
    "ops.unmet_share": ("Unmet demand {year}", "{year} 年未满足需求"),
    "ops.east_in_west_share": ("East served in west {year}", "{year} 年东部需求西部算"),
    "map": ("Clusters: size by peak power, colour by PUE", "集群分布：大小为峰值功率，颜色为 PUE"),
    "energy_by_cluster": ("Annual energy by cluster", "各集群年能耗"),
    "power_series": (
        "Facility power by cluster (drag to pan, scroll to zoom)",
        "各集群设施功率（拖动平移，滚轮缩放）",
    ),
    "peak_per": ("max per {hours} h", "每 {hours} 小时最大值"),
    "ldc": ("Load-duration curve, all clusters, {year}", "{year} 年负荷持续曲线（全部集群）"),
    "hours_exceeded": ("hours at or above the power", "功率达到或超过该值的小时数"),
    "total_facility_power": ("total facility power", "总设施功率"),
    "cluster": ("cluster", "集群"),
    "year_axis": ("year", "年份"),
    "time": ("time (local standard time)", "时间（当地标准时）"),
    "error": ("Error", "错误"),
    # build-out pipeline
    "page.buildout": ("Build-out", "建设进度"),
    "buildout.title": ("Build-out under constraints", "约束下的建设进度"),
    "buildout.none": (
        "This scenario has no projects: section; the build-out pipeline (suanli "
        "pipeline) needs one. zhejiang_supply_shock.yaml is an example.",
        "该情景没有 projects: 部分，建设进度模拟（suanli pipeline）需要它。"
        "示例：zhejiang_supply_shock.yaml。",
    ),
    "buildout.samples": ("Monte Carlo samples", "蒙特卡洛样本数"),
    "buildout.intro": (
        "Projects wait for grid connections and accelerator deliveries; {samples} "
        "samples from seed {seed}. Band: P10 to P90; line: P50; dashed: targets.",
        "项目需等待电网接入与加速卡交付；{samples} 个样本，种子 {seed}。"
        "色带：P10 至 P90；实线：P50；虚线：目标。",
    ),
    "buildout.probability": (
        "P(≥ {target} EFLOPS by {date})",
        "{date} 前达到 {target} EFLOPS 的概率",
    ),
    "buildout.at_target": (
        "Capacity online on the date: P10 {p10:.4g}, P50 {p50:.4g}, P90 {p90:.4g} EFLOPS.",
        "目标日已投运算力：P10 {p10:.4g}，P50 {p50:.4g}，P90 {p90:.4g} EFLOPS。",
    ),
    "buildout.fan": ("Capacity online, all clusters", "已投运算力（全部集群）"),
    # jobs
    "page.jobs": ("Jobs", "作业"),
    "page.sweeps": ("Sweeps", "参数扫描"),
    "sweeps.title": ("Sweeps: uncertainty and sensitivity", "参数扫描：不确定性与敏感性"),
    "sweeps.store": ("Sweep store (Zarr)", "扫描结果（Zarr）"),
    "sweeps.none": (
        "No sweep store found. Run one first, e.g. `suanli sweep "
        "scenarios/sweeps/zhejiang_sobol.yaml`; stores under results/ are listed here.",
        "未找到扫描结果。请先运行，例如 `suanli sweep scenarios/sweeps/zhejiang_sobol.yaml`；"
        "results/ 下的结果会列在这里。",
    ),
    "sweeps.intro": (
        "{name}: {method}, {done} of {samples} samples done",
        "{name}：{method}，已完成 {done}/{samples} 个样本",
    ),
    "sweeps.quantiles": ("Quantiles over samples", "样本分位数"),
    "sweeps.sensitivity": ("Sensitivity in {year}", "{year} 年敏感性"),
    "jobs.title": ("Jobs: queueing, SLA, energy", "作业：排队、服务水平、能耗"),
    "jobs.none": (
        "This scenario has no jobs: section; the job-level simulation (suanli jobs) "
        "needs one. east_west_jobs.yaml is an example.",
        "该情景没有 jobs: 部分，作业级模拟（suanli jobs）需要它。示例：east_west_jobs.yaml。",
    ),
    "jobs.policy": ("Scheduling policy", "调度策略"),
    "jobs.policy.scenario": ("as in the scenario: {policy}", "按情景：{policy}"),
    "jobs.intro": (
        "{jobs:,} jobs over {hours:g} h under {policy}; deltas against the scenario's "
        "own policy. Energy and carbon within the horizon.",
        "{hours:g} 小时内共 {jobs:,} 个作业，策略 {policy}；变化量相对情景自身策略。"
        "能耗与碳排放为模拟时段内合计。",
    ),
    "jobs.sla": ("Jobs over their SLA wait", "超出等待时限的作业"),
    "jobs.wait": ("Mean wait", "平均等待"),
    "jobs.energy": ("Facility energy", "设施能耗"),
    "jobs.carbon": ("Carbon", "碳排放"),
    "jobs.classes": ("By job class", "按作业类别"),
    "jobs.clusters": ("By cluster", "按集群"),
    "jobs.power": ("Facility power by cluster (hourly)", "各集群设施功率（逐时）"),
    # compare
    "compare.title": ("Compare variants and saved what-ifs", "对比变体与已保存假设"),
    "compare.scenario": ("Scenario to compare", "对比的情景"),
    "compare.intro": (
        "Each row runs the scenario with one variant applied; the last simulated year, "
        "all clusters.",
        "每行为应用一个变体后的运行结果；取最后一个模拟年份、全部集群合计。",
    ),
    "compare.log": ("Logarithmic energy axis", "能耗轴取对数"),
    "compare.saved": ("Saved what-ifs", "已保存的假设"),
    "compare.no_saved": (
        "None yet: move sliders on the Scenario page and press 'Save this what-if'.",
        "暂无：在情景页调整滑块后点击「保存此假设」。",
    ),
    "col.variant": ("variant", "变体"),
    "col.what_if": ("what-if", "假设"),
    "col.description": ("description", "说明"),
    "col.year": ("year", "年份"),
    "col.capacity": ("capacity [EFLOPS]", "算力 [EFLOPS]"),
    "col.precision": ("precision", "精度"),
    "col.energy": ("energy [TWh]", "能耗 [TWh]"),
    "col.peak": ("peak [MW]", "峰值 [MW]"),
    "col.pue": ("mean PUE [1]", "平均 PUE [1]"),
    "base": ("(base)", "（基准）"),
    # export
    "export.title": ("Export the current what-if", "导出当前假设"),
    "export.yaml": (
        "Scenario YAML (loads back to the same results)",
        "情景 YAML（重新载入得到相同结果）",
    ),
    "export.yaml.button": ("Download scenario YAML", "下载情景 YAML"),
    "export.nc": ("Download results (NetCDF)", "下载结果（NetCDF）"),
    "export.csv": ("Download annual summary (CSV)", "下载年度汇总（CSV）"),
    "export.hourly": ("Download time series (CSV)", "下载时间序列（CSV）"),
    "export.png": ("Download charts (PNG)", "下载图表（PNG）"),
    "export.files": ("Results and charts", "结果与图表"),
    "export.note": (
        "Files are built when you press a button; the NetCDF holds every variable with its units.",
        "点击按钮时生成文件；NetCDF 含全部变量及其单位。",
    ),
}

#: CF long names of the dataset → Chinese. Units stay as the attributes give them.
_LONG_NAMES_ZH = {
    "facility power (IT power x PUE)": "设施功率（IT 功率 × PUE）",
    "IT (server) power": "IT（服务器）功率",
    "facility energy in the year": "年设施能耗",
    "IT energy in the year": "年 IT 能耗",
    "peak facility power in the year": "年峰值设施功率",
    "installed compute at year end": "年末装机算力",
    "capacity online at the end of the month, all clusters": "月末已投运算力（全部集群）",
    "energy-weighted mean PUE": "能耗加权平均 PUE",
    "power usage effectiveness": "电能利用效率",
    "latitude": "纬度",
    "longitude": "经度",
    "total facility power": "总设施功率",
}


def lang() -> str:
    """The chosen language code (``en`` or ``zh``)."""
    return st.session_state.get("lang", "en")


def t(key: str, *, language: str | None = None, **values: Any) -> str:
    """The label ``key`` in the chosen (or given) language, formatted with ``values``."""
    en, zh = _TEXTS[key]
    text = zh if (language or lang()) == "zh" else en
    return text.format(**values) if values else text


def bound() -> Callable[..., str]:
    """:func:`t` fixed to the language of this run (for widgets' ``format_func``,
    which may be called after the run, outside it)."""
    language = lang()
    return lambda key, **values: t(key, language=language, **values)


def long_name(name: str) -> str:
    """A dataset ``long_name`` in the chosen language."""
    return _LONG_NAMES_ZH.get(name, name) if lang() == "zh" else name


def axis_label(attrs: dict[str, Any], prefix: str = "") -> str:
    """``long_name [units]`` from a variable's attributes, words translated."""
    words = long_name(str(attrs.get("long_name", "")))
    if prefix:
        words = f"{words}, {prefix}"
    return f"{words} [{attrs.get('units') or '?'}]"


def axis_lines(attrs: dict[str, Any], prefix: str = "") -> list[str]:
    """:func:`axis_label` on two lines (long name; qualifier and units) for narrow charts."""
    words = long_name(str(attrs.get("long_name", "")))
    units = f"[{attrs.get('units') or '?'}]"
    return [words, f"{prefix} {units}" if prefix else units]
