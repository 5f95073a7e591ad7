using Cxdi.Plugins.Preprocessing.Guardrails;
using Cxdi.Plugins.Preprocessing.Masks;
using Cxdi.Plugins.Preprocessing.Reshaping;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Execution;

namespace Cxdi.Plugins.Preprocessing.Tests;

/// <summary>Checks on the measured ESRF-logo pattern (ID10): its known support spans 143 × 126 px of 512 × 512 (σ ≈ 3.6 × 4.1).</summary>
public sealed class LogoTests
{
    [LogoDataFact]
    public void Guardrails_EsrfLogo_ReportOversamplingAndHiddenCentralSpeckle()
    {
        var data = LogoData.Read();
        Assert.Equal(Shape.Of(512, 512), data.Shape);
        new ZeroMaskStep().Apply(data, new ZeroMaskOptions(), StepContext.None);
        var context = TestResolver.Context();
        new GuardrailsAnalysis().Analyse(data, new GuardrailsOptions(), context);

        var findings = ((List<object>)data.Findings[GuardrailsAnalysis.Key]).Cast<Dictionary<string, object>>().ToDictionary(f => (string)f["code"]);
        var sigma = findings["oversampling"];
        Assert.Equal("info", sigma["level"]);
        Assert.InRange((double)sigma["value"], 3.3, 4.3);
        Assert.Contains("The oversampling ratio is σ = 3.9", (string)sigma["message"], StringComparison.Ordinal);

        var speckle = findings["central_speckle"];
        Assert.Equal("warning", speckle["level"]);
        Assert.Equal(1.0, (double)speckle["value"], 3);
        Assert.StartsWith("The mask hides 100 % of the central speckle", (string)speckle["message"], StringComparison.Ordinal);
        Assert.Equal("info", findings["asymmetry"]["level"]);
        Assert.True((double)findings["asymmetry"]["value"] < 0.01);

        var (m, _) = GuardrailsAnalysis.Check(data, new GuardrailsOptions(), context);
        Assert.InRange(m.Oversampling[0], 3.58 * 0.9, 3.58 * 1.15);
        Assert.InRange(m.Oversampling[1], 4.06 * 0.9, 4.06 * 1.15);
        Assert.InRange(m.MaskedCentreExtent[0], 14, 30);
        Assert.InRange(m.MaskedCentreExtent[1], 14, 30);
    }

    [LogoDataFact]
    public void CenterSymmetry_EsrfLogo_FindsTheSymmetrisationCentre()
    {
        // The file was symmetrised about (256, 256): I(256 + d) = I(256 − d).
        var data = LogoData.Read();
        new ZeroMaskStep().Apply(data, new ZeroMaskOptions(), StepContext.None);
        var c = CenterStep.Symmetry(data, TestResolver.Context());
        Assert.Equal(256.0, c[1], 0.15);
        Assert.Equal(256.0, c[2], 0.15);
    }
}
