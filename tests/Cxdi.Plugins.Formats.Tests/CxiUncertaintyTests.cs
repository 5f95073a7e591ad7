using Cxdi.Plugins.Formats.Writers;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Execution;
using PureHDF;

namespace Cxdi.Plugins.Formats.Tests;

/// <summary>The uncertainty maps and FSC curves of a reconstruction set in its CXI file.</summary>
public sealed class CxiUncertaintyTests : IDisposable
{
    private readonly TempDir _tmp = new();

    public void Dispose() => _tmp.Dispose();

    [Fact]
    public void Write_SetWithUncertaintyAndFsc_RoundTripsTheDatasetsWithUnits()
    {
        var set = CxiWriterTests.SampleSet(average: true);
        set.AmplitudeUncertainty = [.. Enumerable.Range(0, 48).Select(i => i * 0.01f)];
        set.PhaseUncertainty = [.. Enumerable.Range(0, 48).Select(i => i % 3 == 0 ? float.NaN : i * 0.02f)];
        set.FscHalfRuns = new FrequencyCurve([0, 0.5, 1], [1, 0.5, 0.1]);
        set.FscHalfRunsCutoff = 1;
        set.FscHalfPixels = new FrequencyCurve([0, 0.5, 1], [1, 0.3, 0.2]);
        var path = Assert.Single(((IDataWriter)new CxiWriter()).Write(set, _tmp.File("result"), new CxiWriterOptions(), StepContext.None));

        using var file = H5File.OpenRead(path);
        var amplitude = file.Dataset("/entry_1/image_1/amplitude_uncertainty");
        Assert.Equal([6UL, 8UL], amplitude.Space.Dimensions);
        Assert.Equal(set.AmplitudeUncertainty, amplitude.Read<float[]>());
        Assert.Equal("amplitude (same units as |data|)", amplitude.Attribute("units").Read<string>());
        Assert.Contains("standard deviation", amplitude.Attribute("description").Read<string>(), StringComparison.Ordinal);

        var phase = file.Dataset("/entry_1/image_1/phase_uncertainty");
        var phaseBack = phase.Read<float[]>();
        Assert.Equal(16, phaseBack.Count(float.IsNaN));
        Assert.Equal(set.PhaseUncertainty.Where(float.IsFinite), phaseBack.Where(float.IsFinite));
        Assert.Equal("rad", phase.Attribute("units").Read<string>());

        var process = "/entry_1/image_1/process_1/";
        Assert.Equal([0, 0.5, 1], file.Dataset(process + "fsc_half_runs_frequency").Read<double[]>());
        Assert.Equal([1, 0.5, 0.1], file.Dataset(process + "fsc_half_runs").Read<double[]>());
        Assert.Equal(1.0, file.Dataset(process + "fsc_half_runs_cutoff").Read<double>());
        Assert.Equal([1, 0.3, 0.2], file.Dataset(process + "fsc_half_pixels").Read<double[]>());
        Assert.Equal(1.0 / 7, file.Dataset(process + "fsc_half_pixels").Attribute("threshold").Read<double>());

        // no cut-off below 1/7: no cut-off dataset
        Assert.False(file.Group(process.TrimEnd('/')).LinkExists("fsc_half_pixels_cutoff"));
    }

    [Fact]
    public void Write_SetWithoutMaps_WritesNoUncertaintyDatasets()
    {
        var path = Assert.Single(((IDataWriter)new CxiWriter()).Write(CxiWriterTests.SampleSet(average: true), _tmp.File("plain"), new CxiWriterOptions(), StepContext.None));
        using var file = H5File.OpenRead(path);
        var image = file.Group("/entry_1/image_1");
        Assert.False(image.LinkExists("amplitude_uncertainty"));
        Assert.False(image.LinkExists("phase_uncertainty"));
        Assert.False(file.Group("/entry_1/image_1/process_1").LinkExists("fsc_half_runs"));
    }
}
