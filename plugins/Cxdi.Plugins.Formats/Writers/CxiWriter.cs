using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Execution;
using Cxdi.Sdk.IO;
using Cxdi.Sdk.Plugins;
using Cxdi.Sdk.Roles;
using PureHDF;
using PureHDF.Filters;
using PureHDF.VOL.Native;

namespace Cxdi.Plugins.Formats.Writers;

/// <summary>Options of the <c>cxdi.cxi</c> writer.</summary>
public sealed record CxiWriterOptions : PluginOptions
{
    /// <summary>Store the measured intensity beside a reconstruction.</summary>
    [Description("Store the measured intensity and mask (entry_1/data_1) beside a reconstruction, so the file can be re-analysed alone; costs 4 bytes + 4 bytes per detector pixel.")]
    public bool IncludeData { get; init; } = true;

    /// <summary>Compress the large real arrays.</summary>
    [Description("Store the intensity and mask arrays chunked per frame with shuffle + deflate (gzip): smaller files, slower to write; false stores them uncompressed.")]
    public bool Compress { get; init; }
}

/// <summary>
/// Writes CXI 1.6 files (HDF5) that h5py, silx and PyNX read. A <see cref="ReconstructionSet"/> becomes
/// <c>/entry_1/image_1/data</c> (complex compound {r, i}; the average, or the single run of a per-run set) with
/// <c>mask</c> (bit 0x10000 on support pixels), <c>data_space</c>, <c>data_type</c>, <c>image_size</c>, the geometry
/// under <c>instrument_1</c>, and <c>process_1</c> with the command, version, resolved workflow, seeds, input hashes and
/// metric history. <see cref="DiffractionData"/> becomes <c>/entry_1/data_1/data</c> (float32), the flag mask
/// <c>/entry_1/instrument_1/detector_1/mask</c> (uint32), the geometry and the true object if known. Written atomically.
/// </summary>
[CxdiPlugin("cxdi.cxi", "1.0.0", Description = "CXI 1.6 (HDF5) for reconstructions and diffraction data")]
public sealed class CxiWriter : DataWriterBase<CxiWriterOptions>
{
    /// <summary>CXI version written at the root.</summary>
    public const int CxiVersion = 160;

    /// <inheritdoc />
    public override bool CanWrite(DataItem item) => item switch
    {
        DiffractionData => true,
        ReconstructionSet set => set.Average is not null || set.Runs.Any(r => r.Object.LongLength == set.Shape.Length),
        _ => false,
    };

    /// <inheritdoc />
    protected override IReadOnlyList<string> Write(DataItem item, string basePath, CxiWriterOptions options, StepContext context)
    {
        var path = basePath + ".cxi";
        var entry = item switch
        {
            ReconstructionSet set => ReconstructionEntry(set, options, context),
            DiffractionData data => DataEntry(data, options),
            _ => throw new ArgumentException($"cxdi.cxi cannot write {item.GetType().Name}", nameof(item)),
        };
        var file = new H5File
        {
            ["cxi_version"] = CxiVersion,
            ["entry_1"] = entry,
        };
        AtomicFile.Write(path, temp => file.Write(temp));
        return [path];
    }

    private static H5Group DataEntry(DiffractionData data, CxiWriterOptions options)
    {
        var entry = new H5Group
        {
            ["data_1"] = new H5Group { ["data"] = Array(data.Intensity, data.Shape, options) },
            ["instrument_1"] = Instrument(data.Geometry, data.Mask, data.Shape, options),
        };
        if (data.Geometry.TiltAngles is { Count: > 0 } tilts)
        {
            ((H5Group)entry["data_1"])["tilt_angles"] = new H5Dataset(tilts.ToArray()) { Attributes = new() { ["units"] = "rad" } };
        }

        if (data.GroundTruth is { } truth && truth.LongLength == data.Shape.Length)
        {
            entry["image_1"] = new H5Group
            {
                ["data"] = Complex(truth, data.Shape, options),
                ["data_space"] = "real",
                ["data_type"] = "ground truth",
            };
        }

        entry["process_1"] = Provenance(data.Provenance, null);
        return entry;
    }

    private static H5Group ReconstructionEntry(ReconstructionSet set, CxiWriterOptions options, StepContext context)
    {
        var single = set.Average is null ? set.Runs.FirstOrDefault(r => r.Object.LongLength == set.Shape.Length) : null;
        var image = set.Average ?? single?.Object
            ?? throw new ArgumentException("the reconstruction set has neither an average nor a finished run", nameof(set));
        var support = set.Average is not null ? set.AverageSupport : single?.Support;
        var mask = new uint[image.Length];
        if (support is not null && support.LongLength == image.LongLength)
        {
            for (var i = 0; i < mask.Length; i++)
            {
                mask[i] = support[i] != 0 ? (uint)MaskFlags.Support : 0u;
            }
        }

        var imageGroup = new H5Group
        {
            ["data"] = Complex(image, set.Shape, options),
            ["mask"] = Array(mask, set.Shape, options),
            ["data_space"] = "real",
            ["data_type"] = "electron density",
            ["is_fft_shifted"] = 0,
        };
        if (set.PixelSize is { } pixel)
        {
            imageGroup["image_size"] = set.Shape.Dimensions.Reverse().Select(n => n * pixel).ToArray();
            imageGroup["x_pixel_size"] = new H5Dataset(pixel) { Attributes = new() { ["units"] = "m" } };
            imageGroup["y_pixel_size"] = new H5Dataset(pixel) { Attributes = new() { ["units"] = "m" } };
        }

        var process = Provenance(set.Provenance, context.Run);
        var runs = single is not null ? [single] : set.Runs;
        process["seeds"] = runs.Select(r => r.Seed).ToArray();
        process["run_index"] = runs.Select(r => r.Index).ToArray();
        process["run_state"] = runs.Select(r => r.State.ToString().ToLowerInvariant()).ToArray();
        process["llk"] = runs.Select(r => r.Llk).ToArray();
        process["free_llk"] = runs.Select(r => r.FreeLlk).ToArray();
        process["chi2"] = runs.Select(r => r.Chi2).ToArray();
        process["support_size"] = runs.Select(r => r.SupportSize).ToArray();
        if (set.Backend is { } backend)
        {
            process["backend"] = backend;
        }

        var history = single?.History ?? set.Runs.FirstOrDefault(r => r.State == RunState.Kept)?.History;
        if (history is { Count: > 0 })
        {
            process["history"] = new H5Group
            {
                ["cycle"] = history.Select(h => h.Cycle).ToArray(),
                ["algorithm"] = history.Select(h => h.Algorithm).ToArray(),
                ["llk"] = history.Select(h => h.Llk).ToArray(),
                ["free_llk"] = history.Select(h => h.FreeLlk).ToArray(),
                ["chi2"] = history.Select(h => h.Chi2).ToArray(),
                ["support_size"] = history.Select(h => h.SupportSize).ToArray(),
            };
        }

        if (set.Prtf is { } prtf)
        {
            process["prtf_frequency"] = prtf.Frequency;
            process["prtf"] = prtf.Value;
        }

        if (set.PrtfCutoff is { } cutoff)
        {
            process["prtf_cutoff"] = cutoff;
        }

        Curve(process, "fsc_half_runs", set.FscHalfRuns, set.FscHalfRunsCutoff, "Fourier shell correlation between the averages of the even- and odd-ranked kept runs");
        Curve(process, "fsc_half_pixels", set.FscHalfPixels, set.FscHalfPixelsCutoff, "Fourier shell correlation between reconstructions from two disjoint halves of the measured Fourier pixels");
        if (set.Average is not null && set.AmplitudeUncertainty is { } amplitudeSpread && amplitudeSpread.LongLength == image.LongLength)
        {
            imageGroup["amplitude_uncertainty"] = Described(
                Array(amplitudeSpread, set.Shape, options),
                "amplitude (same units as |data|)",
                "per-pixel sample standard deviation (divided by runs - 1) of the amplitude |psi| of the aligned kept runs");
        }

        if (set.Average is not null && set.PhaseUncertainty is { } phaseSpread && phaseSpread.LongLength == image.LongLength)
        {
            imageGroup["phase_uncertainty"] = Described(
                Array(phaseSpread, set.Shape, options),
                "rad",
                "per-pixel spread of the phase of the aligned kept runs about the phase of data: sqrt(sum_k d_k^2 / (runs - 1)), d_k = arg(psi_k conj(data)) in (-pi, pi]; NaN outside the support");
        }

        imageGroup["process_1"] = process;
        var entry = new H5Group { ["image_1"] = imageGroup };
        var data = set.Data;
        entry["instrument_1"] = options.IncludeData && data is not null
            ? Instrument(set.Geometry, data.Mask, data.Shape, options)
            : Instrument(set.Geometry, null, set.Shape, options);
        if (options.IncludeData && data is not null)
        {
            entry["data_1"] = new H5Group { ["data"] = Array(data.Intensity, data.Shape, options) };
        }

        return entry;
    }

    private static H5Group Instrument(Geometry geometry, uint[]? mask, Shape shape, CxiWriterOptions options)
    {
        var detector = new H5Group();
        if (mask is not null)
        {
            detector["mask"] = Array(mask, shape, options);
        }

        if (geometry.DetectorDistance is { } d)
        {
            detector["distance"] = Metres(d);
        }

        if (geometry.PixelSizeX is { } px)
        {
            detector["x_pixel_size"] = Metres(px);
        }

        if (geometry.PixelSizeY is { } py)
        {
            detector["y_pixel_size"] = Metres(py);
        }

        if (geometry.BeamCenterX is { } cx)
        {
            detector["beam_center_x"] = new H5Dataset(cx) { Attributes = new() { ["units"] = "pixel" } };
        }

        if (geometry.BeamCenterY is { } cy)
        {
            detector["beam_center_y"] = new H5Dataset(cy) { Attributes = new() { ["units"] = "pixel" } };
        }

        var instrument = new H5Group { ["detector_1"] = detector };
        if (geometry.Wavelength is { } wavelength)
        {
            instrument["source_1"] = new H5Group { ["energy"] = new H5Dataset(geometry.Energy!.Value) { Attributes = new() { ["units"] = "J" } } };
            instrument["beam_1"] = new H5Group { ["incident_wavelength"] = Metres(wavelength) };
        }

        return instrument;
    }

    private static H5Group Provenance(Provenance provenance, RunInfo? run)
    {
        var process = new H5Group
        {
            ["software_version"] = run?.SoftwareVersion ?? typeof(CxiWriter).Assembly.GetName().Version?.ToString() ?? "unknown",
            ["command"] = run?.Command ?? "",
            ["configuration"] = run?.WorkflowYaml ?? "",
            ["date"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
        };
        if (provenance.Sources.Count > 0)
        {
            process["input_files"] = provenance.Sources.Select(s => s.Path).ToArray();
            process["input_sha256"] = provenance.Sources.Select(s => s.Sha256).ToArray();
        }

        if (provenance.Steps.Count > 0)
        {
            process["steps"] = provenance.Steps.Select(s => $"{s.PluginId} {s.Version} {JsonSerializer.Serialize(s.Options)}").ToArray();
        }

        return process;
    }

    /// <summary>Writes <paramref name="curve"/> as <c>NAME_frequency</c> and <c>NAME</c> (and <c>NAME_cutoff</c> when there is one) under <paramref name="process"/>.</summary>
    private static void Curve(H5Group process, string name, FrequencyCurve? curve, double? cutoff, string description)
    {
        if (curve is null)
        {
            return;
        }

        process[name + "_frequency"] = new H5Dataset(curve.Frequency) { Attributes = new() { ["units"] = "fraction of the Nyquist frequency" } };
        process[name] = new H5Dataset(curve.Value) { Attributes = new() { ["description"] = description, ["threshold"] = 1.0 / 7 } };
        if (cutoff is { } c)
        {
            process[name + "_cutoff"] = new H5Dataset(c) { Attributes = new() { ["units"] = "fraction of the Nyquist frequency", ["description"] = "first shell where the FSC falls below 1/7" } };
        }
    }

    private static H5Dataset Described(H5Dataset dataset, string units, string description)
    {
        dataset.Attributes = new() { ["units"] = units, ["description"] = description };
        return dataset;
    }

    private static H5Dataset Metres(double value) => new(value) { Attributes = new() { ["units"] = "m" } };

    private static H5Dataset Array<T>(T[] values, Shape shape, CxiWriterOptions options)
    {
        var dims = shape.Dimensions.Select(d => (ulong)d).ToArray();
        if (!options.Compress)
        {
            return new H5Dataset(values, fileDims: dims);
        }

        var chunks = shape.Dimensions.Select(d => (uint)d).ToArray();
        if (shape.Is3D)
        {
            chunks[0] = 1;
        }

        var creation = new H5DatasetCreation(Filters: [new H5Filter(ShuffleFilter.Id), new H5Filter(DeflateFilter.Id, new() { [DeflateFilter.COMPRESSION_LEVEL] = 1 })]);
        return new H5Dataset(values, chunks: chunks, fileDims: dims, datasetCreation: creation);
    }

    private static H5Dataset Complex(Complex32[] values, Shape shape, CxiWriterOptions options)
    {
        var compound = new Hdf5.Hdf5Reader.CxiComplex32[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            compound[i] = new Hdf5.Hdf5Reader.CxiComplex32 { r = values[i].Re, i = values[i].Im };
        }

        return Array(compound, shape, options with { Compress = false });
    }
}
