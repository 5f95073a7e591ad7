using System.Text.Json;
using Cxdi.Plugins.Preprocessing.Planning;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Errors;
using Cxdi.Sdk.Execution;

namespace Cxdi.Plugins.Preprocessing.Tests;

public sealed class PlanTests
{
    private static void Within(double expected, double actual, double relative = 0.02)
        => Assert.True(Math.Abs(actual - expected) <= relative * Math.Abs(expected), $"expected {expected} ± {relative * 100} %, got {actual}");

    [Fact]
    public void Plan_ReproducesChushkinZontoneFigure3()
    {
        // IUCrJ 2025, Fig. 3: 8 keV, 30 m, 75 µm pixels, 2048 pixels → S_max ≈ 20.7 µm, Δr ≈ 30 nm, DOF ≈ 11.8 µm; 100× → 3.16× finer.
        var plan = new PlanOptions { Energy = "8keV", Distance = "30m", Pixel = "75um", Pixels = 2048, BrillianceGain = 100 }.ToPlan();
        Within(1.5498e-10, plan.Wavelength, 0.001);
        Within(20.7e-6, plan.MaxSampleSize);
        Within(30e-9, plan.Resolution);
        Within(11.8e-6, plan.DepthOfField);
        Within(3.16, plan.ResolutionGain!.Value);
    }

    [Fact]
    public void Plan_WithSample_OversamplingSpeckleAndDepthOfField()
    {
        var plan = new PlanOptions { Wavelength = "1.5498A", Distance = "3000cm", Pixel = "75µm", Pixels = 2048, Sample = "20um" }.ToPlan();
        Within(30 * 1.5498e-10 / (75e-6 * 20e-6), plan.Oversampling!.Value, 1e-6); // 3.0996
        Within(30 * 1.5498e-10 / 20e-6, plan.SpeckleSize!.Value, 1e-6);            // 232 µm = 3.1 px
        Assert.True(plan.ThickerThanDepthOfField);                                  // 20 µm > 11.8 µm
        Assert.False(new ExperimentPlan(plan.Wavelength, 30, 75e-6, 2048, 5e-6).ThickerThanDepthOfField);
    }

    [Fact]
    public void PlanTool_TableAndJson()
    {
        var tool = new PlanTool();
        Assert.Equal("plan", tool.Command);
        var table = new StringWriter();
        Assert.Equal(0, tool.Run(new PlanOptions { Energy = "8 keV", Distance = "30m", Pixel = "75um", Pixels = 2048, Sample = "20um", BrillianceGain = 100 }, table, StepContext.None));
        Assert.Contains("largest sample", table.ToString(), StringComparison.Ordinal);
        Assert.Contains("20.66 µm", table.ToString(), StringComparison.Ordinal);
        Assert.Contains("3.162× finer", table.ToString(), StringComparison.Ordinal);

        var json = new StringWriter();
        tool.Run(new PlanOptions { Energy = "8000eV", Distance = "30m", Pixel = "0.075mm", Pixels = 2048, Json = true }, json, StepContext.None);
        using var doc = JsonDocument.Parse(json.ToString());
        Within(30.27e-9, doc.RootElement.GetProperty("resolution_m").GetDouble(), 0.002);
    }

    [Fact]
    public void PlanOptions_BadUnits_AreReportedPerOption()
    {
        var problems = new PlanOptions { Energy = "8", Distance = "30 parsecs", Pixel = "75um" }.Validate().ToList();
        Assert.Equal(["Energy", "Distance"], problems.Select(p => p.Key));
        Assert.Contains("8keV", problems[0].Message, StringComparison.Ordinal);
        Assert.Single(new PlanOptions { Distance = "1m", Pixel = "1um" }.Validate());
        Assert.Throws<WorkflowShapeException>(() => Units.Metres("-3m", "--distance"));
        Assert.Equal(1e-10, Units.Metres("1Å", "--wavelength"), 15);
    }

    [Fact]
    public void PlanAnalysis_UsesTheDataGeometry()
    {
        var data = new DiffractionData(Shape.Of(512, 512), new float[512 * 512]) { Geometry = new Geometry { Wavelength = 1.5498e-10, DetectorDistance = 5, PixelSizeX = 55e-6 } };
        new PlanAnalysis().Analyse(data, new PlanAnalysisOptions { Sample = "5um" }, StepContext.None);
        var f = (Dictionary<string, object>)data.Findings["cxdi.plan.geometry"];
        Within(5 * 1.5498e-10 / (512 * 55e-6), (double)f["resolution_m"], 1e-9);
        Within(5 * 1.5498e-10 / (55e-6 * 5e-6), (double)f["oversampling"], 1e-9);
        Assert.Throws<WorkflowShapeException>(() => new PlanAnalysis().Analyse(new DiffractionData(Shape.Of(4, 4), new float[16]), new PlanAnalysisOptions(), StepContext.None));
    }
}
