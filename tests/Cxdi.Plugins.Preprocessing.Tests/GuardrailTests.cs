using Cxdi.Plugins.Preprocessing.Guardrails;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Errors;

namespace Cxdi.Plugins.Preprocessing.Tests;

public sealed class GuardrailTests
{
    [Fact]
    public void Oversampling_Rectangle_MatchesArrayOverObjectSize()
    {
        // A 16 × 24 px rectangle in 128 × 128: autocorrelation extent 31 × 47 = 2a − 1 → a = 16 × 24, σ = 128/16 = 8 and 128/24 = 5.33.
        var data = Synth.Rectangle(128, 16, 24);
        var (m, findings) = GuardrailsAnalysis.Check(data, new GuardrailsOptions(), TestResolver.Context());
        Assert.Equal(128 / 16.0, m.Oversampling[0], 0.05);
        Assert.Equal(128 / 24.0, m.Oversampling[1], 0.05);
        Assert.Equal("info", findings.Single(f => f.Code == "oversampling").Level);
        Assert.Equal(0.0, m.HiddenSpeckleFraction);
        Assert.True(m.Asymmetry < 1e-3);
    }

    [Fact]
    public void Oversampling_ObjectFillingTheArray_IsRefusedUnlessForced()
    {
        // 48 × 48 of 64 × 64: σ = 64/48 = 1.33 < √2; the autocorrelation (95 px) wraps around the 64 px array: σ ≤ 2 is all that is known.
        var data = Synth.Rectangle(64, 48, 48);
        var ex = Assert.Throws<GuardrailException>(() => new GuardrailsAnalysis().Analyse(data, new GuardrailsOptions(), TestResolver.Context()));
        Assert.Equal("oversampling", ex.Code);
        Assert.Equal(2.0, ex.Value, 0.05);
        Assert.Contains("wraps around", ex.Message, StringComparison.Ordinal);
        Assert.Contains("force: true", ex.OneLine, StringComparison.Ordinal);

        var forced = Synth.Rectangle(64, 48, 48);
        new GuardrailsAnalysis().Analyse(forced, new GuardrailsOptions { Force = true }, TestResolver.Context());
        var first = (Dictionary<string, object>)((List<object>)forced.Findings[GuardrailsAnalysis.Key])[0];
        Assert.Equal("refusal", first["level"]);
    }

    [Fact]
    public void Oversampling_WrappedWithAGuessedCentre_IsAWarningNotARefusal()
    {
        // Same undersampled object, but the centre is masked: the wrap may come from the guessed centre, so no refusal.
        var data = Synth.Rectangle(64, 48, 48);
        data.Mask[(32 * 64) + 32] = (uint)MaskFlags.Beamstop;
        data.Mask[(32 * 64) + 33] = (uint)MaskFlags.Beamstop;
        new GuardrailsAnalysis().Analyse(data, new GuardrailsOptions(), TestResolver.Context());
        var first = (Dictionary<string, object>)((List<object>)data.Findings[GuardrailsAnalysis.Key])[0];
        Assert.Equal("warning", first["level"]);
        Assert.Contains("cannot be measured", (string)first["message"], StringComparison.Ordinal);
    }

    [Fact]
    public void Oversampling_BelowThree_IsAWarning()
    {
        // 26 px wide in 64: σ_x = 64/26 = 2.46.
        var (m, findings) = GuardrailsAnalysis.Check(Synth.Rectangle(64, 8, 26), new GuardrailsOptions(), TestResolver.Context());
        Assert.Equal(64 / 26.0, m.Oversampling[1], 0.05);
        var f = findings.Single(x => x.Code == "oversampling");
        Assert.Equal("warning", f.Level);
        Assert.Contains("along x", f.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void HiddenSpeckle_AndAsymmetry_AreMeasured()
    {
        var data = Synth.Rectangle(64, 8, 8); // σ = 8: central speckle radius 8 px.
        // Mask a 5 × 5 block at the centre: of the ~197 pixels within radius 8, 25 are hidden.
        for (var y = 30; y <= 34; y++)
        {
            for (var x = 30; x <= 34; x++)
            {
                data.Mask[(y * 64) + x] = (uint)MaskFlags.Beamstop;
            }
        }

        var (fraction, radius, extent) = GuardrailsAnalysis.HiddenCentralSpeckle(data, [8.0, 8.0]);
        var inside = 0;
        for (var y = -8; y <= 8; y++)
        {
            for (var x = -8; x <= 8; x++)
            {
                inside += (x * x) + (y * y) <= 64 ? 1 : 0;
            }
        }

        Assert.Equal(25.0 / inside, fraction, 6);
        Assert.Equal([8.0, 8.0], radius);
        Assert.Equal([5, 5], extent);

        // Doubling one side of the pattern: I = 2 at pixels with x > 32, mirror partners at x < 32 stay 1.
        var flat = new DiffractionData(Shape.Of(4, 64), Enumerable.Range(0, 256).Select(i => i % 64 > 32 ? 2f : 1f).ToArray());
        var asym = GuardrailsAnalysis.Asymmetry(flat);
        // Pairs (x, 64 − x) for x = 1…63 on rows mirrored about y = 2 (rows 1…3): Σ(a−b)² = 2·31·3, Σa² = 3·(32·1 + 31·4).
        Assert.Equal(Math.Sqrt(2.0 * 31 * 3 / (3 * (32 + (31 * 4.0)))), asym, 6);
    }
}
