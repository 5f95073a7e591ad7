using Cxdi.Plugins.Phasing.Simulation;
using Cxdi.Plugins.Preprocessing.Guardrails;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Errors;
using Cxdi.Sdk.Plugins;

namespace Cxdi.Plugins.Preprocessing.Tests;

/// <summary>The guardrails on simulated patterns of known oversampling, with and without beamstop, gaps and NaN pixels.</summary>
public sealed class GuardrailPhysicsTests
{
    /// <summary>A disc of diameter n/σ with a random amplitude texture, its pattern with Poisson noise (q = 0 at n/2).</summary>
    private static DiffractionData Disc(int n, double sigma, int seed, double photons = 1e9)
    {
        var random = new Random(seed);
        var radius = n / sigma / 2;
        var obj = new Complex32[n * n];
        for (var y = 0; y < n; y++)
        {
            for (var x = 0; x < n; x++)
            {
                double dy = y - (n / 2) + 0.5, dx = x - (n / 2) + 0.5;
                if ((dy * dy) + (dx * dx) <= radius * radius)
                {
                    obj[(y * n) + x] = new Complex32((float)(0.5 + (0.5 * random.NextDouble())), 0);
                }
            }
        }

        var data = Synth.Pattern(obj, n, (float)photons);
        for (var i = 0; i < data.Intensity.Length; i++)
        {
            data.Intensity[i] = Poisson(random, data.Intensity[i]);
        }

        return data;
    }

    private static float Poisson(Random random, double mean)
    {
        if (mean > 50)
        {
            // Normal approximation, rounded: exact enough for the bright pixels.
            var u = 1 - random.NextDouble();
            var g = Math.Sqrt(-2 * Math.Log(u)) * Math.Cos(2 * Math.PI * random.NextDouble());
            return (float)Math.Max(0, Math.Round(mean + (g * Math.Sqrt(mean))));
        }

        double l = Math.Exp(-mean), p = 1;
        var k = 0;
        do
        {
            k++;
            p *= random.NextDouble();
        }
        while (p > l);
        return k - 1;
    }

    /// <summary>A beamstop of radius σ/2 px (half a speckle, as the quickstart), two 3-px gaps and five unflagged NaN pixels near the centre.</summary>
    private static void Damage(DiffractionData data, double sigma, int parts = 7)
    {
        var n = data.Shape.Nx;
        var c = n / 2;
        var beamstop = sigma / 2;
        for (var y = 0; y < n; y++)
        {
            for (var x = 0; x < n; x++)
            {
                var i = (y * n) + x;
                if ((parts & 1) != 0 && ((y - c) * (y - c)) + ((x - c) * (x - c)) <= beamstop * beamstop)
                {
                    data.Mask[i] |= (uint)MaskFlags.Beamstop;
                }

                if ((parts & 2) != 0 && (x - c is >= 11 and < 14 || y - c is >= -24 and < -21))
                {
                    data.Mask[i] |= (uint)MaskFlags.Gap;
                    data.Intensity[i] = 0;
                }
            }
        }

        foreach (var (dy, dx) in (parts & 4) != 0 ? new[] { (6, 0), (0, -6), (4, 5), (-7, 2), (3, -3) } : [])
        {
            data.Intensity[((c + dy) * n) + c + dx] = float.NaN;
        }
    }

    [Theory]
    [InlineData(3.0, false)]
    [InlineData(4.0, false)]
    [InlineData(6.0, false)]
    [InlineData(3.0, true)]
    [InlineData(4.0, true)]
    [InlineData(6.0, true)]
    public void Oversampling_SimulatedDisc_MeasuresTheTrueRatio(double sigma, bool damaged)
    {
        var data = Disc(128, sigma, seed: (int)(10 * sigma));
        if (damaged)
        {
            Damage(data, sigma);
        }

        var (m, findings) = GuardrailsAnalysis.Check(data, new GuardrailsOptions(), TestResolver.Context());

        Assert.InRange(m.Oversampling[0], sigma * 0.85, sigma * 1.2);
        Assert.InRange(m.Oversampling[1], sigma * 0.85, sigma * 1.2);
        Assert.DoesNotContain(findings, f => f.Level == "refusal");
        Assert.Equal(sigma >= 3 ? "info" : "warning", findings.Single(f => f.Code == "oversampling").Level);
        Assert.Equal("info", findings.Single(f => f.Code == "asymmetry").Level);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Oversampling_OneNaNPixelSixPxFromTheCentre_DoesNotChangeTheVerdict(bool flagged)
    {
        var clean = Disc(128, 4.5, seed: 45);
        var (reference, _) = GuardrailsAnalysis.Check(clean, new GuardrailsOptions(), TestResolver.Context());
        var data = Disc(128, 4.5, seed: 45);
        data.Intensity[(70 * 128) + 64] = float.NaN;
        if (flagged)
        {
            data.Mask[(70 * 128) + 64] = (uint)MaskFlags.Invalid;
        }

        var (m, findings) = GuardrailsAnalysis.Check(data, new GuardrailsOptions(), TestResolver.Context());

        Assert.Equal(reference.Oversampling, m.Oversampling);
        var f = findings.Single(x => x.Code == "oversampling");
        Assert.Equal("info", f.Level);
        Assert.Contains("enough for phasing", f.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Oversampling_SolvableEightByEightAtSigmaTwo_IsAWarningNotARefusal()
    {
        // A 4×4 object in an 8×8 array: σ = 2 per axis, above the 2D uniqueness limit √2.
        var data = Synth.Rectangle(8, 4, 4);

        var (m, findings) = GuardrailsAnalysis.Check(data, new GuardrailsOptions(), TestResolver.Context());

        Assert.Equal([2.0, 2.0], m.Oversampling);
        Assert.Equal("warning", findings.Single(f => f.Code == "oversampling").Level);
        new GuardrailsAnalysis().Analyse(data, new GuardrailsOptions(), TestResolver.Context());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Check_EmptyPattern_IsRefusedAsEmptyAndTheFindingIsRecorded(bool masked)
    {
        var data = new DiffractionData(Shape.Of(128, 128), new float[128 * 128]);
        if (masked)
        {
            Array.Fill(data.Intensity, 10f);
            Array.Fill(data.Mask, (uint)MaskFlags.User);
        }

        var ex = Assert.Throws<GuardrailException>(() => new GuardrailsAnalysis().Analyse(data, new GuardrailsOptions(), TestResolver.Context()));

        Assert.Equal("empty", ex.Code);
        Assert.Contains("The pattern is empty: all pixels are zero or masked", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("undersampled", ex.Message, StringComparison.Ordinal);
        var recorded = Assert.Single((List<object>)data.Findings[GuardrailsAnalysis.Key]);
        Assert.Equal("empty", ((Dictionary<string, object>)recorded)["code"]);
    }

    [Fact]
    public void Check_Quickstart_HasNoWarningAndEveryFindingIsInTheFindings()
    {
        // examples/quickstart.yaml's input.
        var options = new SimulateOptions { Dims = 2, Size = 256, Oversampling = 4, Photons = 1e9, Seed = 1, BeamstopRadius = 0.5, GapWidth = 3, GapOffsets = [21, -47] };
        DiffractionData data;
        using (var backend = new Cxdi.Plugins.Phasing.Compute.CpuBackendProvider().Create(new NoOptions()))
        {
            data = Simulator.Simulate(options, backend);
        }

        new GuardrailsAnalysis().Analyse(data, new GuardrailsOptions(), TestResolver.Context());

        var findings = ((List<object>)data.Findings[GuardrailsAnalysis.Key]).Cast<Dictionary<string, object>>().ToList();
        Assert.Equal(["oversampling", "central_speckle", "saturation", "asymmetry"], findings.Select(f => (string)f["code"]));
        Assert.All(findings, f => Assert.True((string)f["level"] == "info", $"{f["code"]}: {f["message"]}"));
        Assert.InRange((double)findings[0]["value"], 3.5, 6);
    }

    [Fact]
    public void Asymmetry_WrongCentre_WarnsWithTheBetterCentre()
    {
        var data = Disc(128, 4, seed: 7);
        data.Geometry = data.Geometry with { BeamCenterY = 65, BeamCenterX = 64 };

        var (_, findings) = GuardrailsAnalysis.Check(data, new GuardrailsOptions(), TestResolver.Context());

        var f = findings.Single(x => x.Code == "asymmetry");
        Assert.Equal("warning", f.Level);
        Assert.Contains("about (row 64.0, column 64.0)", f.Message, StringComparison.Ordinal);
    }
}
