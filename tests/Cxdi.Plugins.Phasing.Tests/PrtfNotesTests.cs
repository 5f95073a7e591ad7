using Cxdi.Plugins.Phasing.Engine;
using Cxdi.Sdk.Data;

namespace Cxdi.Plugins.Phasing.Tests;

/// <summary>The sentences the phase findings carry about the PRTF: no cut-off and why, values above 1.</summary>
public sealed class PrtfNotesTests
{
    [Fact]
    public void PrtfNotes_AboveOneOverEToTheEdge_SaysTheDetectorEdgeLimitsTheResolution()
    {
        var curve = new FrequencyCurve([0, 0.5, 1, 1.41], [0.9, 0.8, 0.6, 0.5]);
        var note = Assert.Single(Canonicalizer.PrtfNotes(curve, null));
        Assert.Equal("PRTF stays above 1/e up to Nyquist (to 1.41 of Nyquist in the corners): resolution limited by the detector edge, not by the phasing", note);
    }

    [Fact]
    public void PrtfNotes_NeverReachingOneOverE_SaysThereIsNoResolutionEstimate()
    {
        var note = Assert.Single(Canonicalizer.PrtfNotes(new FrequencyCurve([0, 0.5, 1], [0.2, 0.1, 0.05]), null));
        Assert.StartsWith("PRTF never reaches 1/e", note, StringComparison.Ordinal);
    }

    [Fact]
    public void PrtfNotes_ValuesAboveOne_AreNamedAsNoiseOrUnmeasuredPixels()
    {
        var curve = new FrequencyCurve([0, 0.25, 0.5, 0.75, 1], [1.05, 0.9, 0.3, 0.2, 1.9]);
        var note = Assert.Single(Canonicalizer.PrtfNotes(curve, 0.5));
        Assert.Equal("PRTF above 1 in 2 of 5 shells (up to 1.9 at 1 of Nyquist): there the measured amplitude is dominated by noise or few pixels are measured, so those shells say nothing about the phasing", note);
    }

    [Fact]
    public void PrtfNotes_OrdinaryCurveWithCutoff_HasNoNotes()
    {
        Assert.Empty(Canonicalizer.PrtfNotes(new FrequencyCurve([0, 0.5, 1], [0.9, 0.3, 0.1]), 0.5));
    }
}
