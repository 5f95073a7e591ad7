using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using Cxdi.Plugins.Ml.Models;
using Cxdi.Plugins.Ml.Simulation;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Errors;
using Cxdi.Sdk.IO;

namespace Cxdi.Plugins.Ml.Denoising;

/// <summary>How to train the linear 3D filter on simulated volumes.</summary>
/// <param name="Simulation">Volumes to simulate (shape, object size, photons, mask).</param>
/// <param name="Patterns">Training volumes.</param>
/// <param name="Samples">Training voxels drawn from all volumes together, spread evenly over the level bins.</param>
/// <param name="Radius">Stencil half-width R in voxels: the filter sees the (2R+1)³ neighbourhood.</param>
/// <param name="Seed">Base seed: volume k uses Seed·1000 + k, the validation volume Seed·1000 + 999.</param>
internal sealed record Linear3DPlan(VolumeSpec Simulation, int Patterns, int Samples, int Radius, int Seed)
{
    /// <summary>The seed of training volume <paramref name="k"/>.</summary>
    public int PatternSeed(int k) => (Seed * 1000) + k;

    /// <summary>The seed of the validation volume (never used for training).</summary>
    public int ValidationSeed => (Seed * 1000) + 999;
}

/// <summary>The trained 3D filter with its provenance (kind <see cref="Linear3DTraining.Kind"/>).</summary>
/// <param name="Filter">The filter.</param>
/// <param name="Provenance">Provenance keys and values (JSON-friendly).</param>
internal sealed record Linear3DModel(LinearFilter3D Filter, Dictionary<string, object> Provenance)
{
    private const string FilterEntry = "filter.json";
    private const string ProvenanceEntry = "provenance.json";

    /// <summary>Writes the model atomically as a zip holding <c>filter.json</c> (radius, bin edges, weights) and <c>provenance.json</c>.</summary>
    public void Save(string path)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            var provenance = new Dictionary<string, object>(Provenance, StringComparer.Ordinal)
            {
                ["format_version"] = ModelFile.FormatVersion,
                ["kind"] = Linear3DTraining.Kind,
            };
            using (var stream = zip.CreateEntry(ProvenanceEntry).Open())
            {
                JsonSerializer.Serialize(stream, provenance, new JsonSerializerOptions { WriteIndented = true });
            }

            using (var stream = zip.CreateEntry(FilterEntry).Open())
            {
                JsonSerializer.Serialize(stream, new FilterJson(Filter.Radius, LinearFilter3D.Edges, Filter.Weights));
            }
        }

        AtomicFile.WriteAllBytes(path, buffer.ToArray());
    }

    /// <summary>Reads a 3D filter model; a missing, foreign or damaged file, or a model of another kind, is one <see cref="InvalidInputException"/>.</summary>
    public static Linear3DModel Load(string path)
    {
        const string Hint = "train one with `cxdi train --kind denoiser --dims 3 --model FILE`, or leave the model option empty to train on the fly";
        if (!File.Exists(path))
        {
            throw new InvalidInputException(path, "model file not found", Hint);
        }

        try
        {
            using var zip = ZipFile.OpenRead(path);
            var provenanceEntry = zip.GetEntry(ProvenanceEntry) ?? throw new InvalidDataException("no provenance.json entry: not a Cxdi ML model");
            Dictionary<string, object> provenance;
            using (var stream = provenanceEntry.Open())
            {
                using var document = JsonDocument.Parse(stream);
                provenance = document.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => ToValue(p.Value), StringComparer.Ordinal);
            }

            var kind = provenance.TryGetValue("kind", out var k) ? k as string : null;
            if (kind != Linear3DTraining.Kind)
            {
                var what = kind == DenoiserTraining.Kind ? "a 2D denoiser model (cxdi.denoise.tree)" : $"a {kind ?? "unknown"} model";
                throw new InvalidInputException(path, $"is {what}, not a 3D denoiser model", Hint);
            }

            if (provenance.TryGetValue("format_version", out var v) && v is double version && (int)version != ModelFile.FormatVersion)
            {
                throw new InvalidInputException(path, $"model format version {version} is not supported (this plugin reads version {ModelFile.FormatVersion})", "retrain the model with this version");
            }

            var filterEntry = zip.GetEntry(FilterEntry) ?? throw new InvalidDataException("no filter.json entry: not a 3D denoiser model");
            FilterJson json;
            using (var stream = filterEntry.Open())
            {
                json = JsonSerializer.Deserialize<FilterJson>(stream) ?? throw new InvalidDataException("empty filter.json");
            }

            if (!json.Edges.SequenceEqual(LinearFilter3D.Edges))
            {
                throw new InvalidDataException("its level bins differ from this plugin's (feature contract " + LinearFilter3D.Contract + ")");
            }

            return new Linear3DModel(new LinearFilter3D(json.Radius, json.Weights), provenance);
        }
        catch (CxdiException)
        {
            throw;
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or JsonException or FormatException or InvalidOperationException or ArgumentException or UnauthorizedAccessException or NotSupportedException)
        {
            var message = ex.Message;
            var cut = message.IndexOfAny(['\r', '\n']);
            throw new InvalidInputException(path, "not a readable Cxdi 3D denoiser model: " + (cut < 0 ? message : message[..cut]), Hint, ex);
        }
    }

    /// <summary>A provenance value as text (for findings), or "n/a".</summary>
    public string Figure(string key) => Provenance.TryGetValue(key, out var value) ? Convert.ToString(value, CultureInfo.InvariantCulture) ?? "n/a" : "n/a";

    private static object ToValue(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Number => element.GetDouble(),
        JsonValueKind.String => element.GetString() ?? "",
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Array => element.EnumerateArray().Select(ToValue).ToList(),
        JsonValueKind.Object => element.EnumerateObject().ToDictionary(p => p.Name, p => ToValue(p.Value), StringComparer.Ordinal),
        _ => "",
    };

    /// <summary>The serialised filter.</summary>
    private sealed record FilterJson(int Radius, float[] Edges, float[][] Weights);
}

/// <summary>
/// Trains the linear 3D filter by least squares on simulated volumes: per level bin, the normal equations
/// (XᵀX + εI) w = Xᵀt over the sampled voxels are solved by Cholesky in double precision (ε = 1e-6 of the mean diagonal);
/// a bin with fewer than 20 samples per weight takes the fit over all bins. Deterministic for a seed (fixed chunks, each
/// with its own random stream, summed in order).
/// </summary>
internal static class Linear3DTraining
{
    /// <summary>The model kind written in provenance.</summary>
    public const string Kind = "denoiser3d";

    private const int Chunks = 8;

    /// <summary>Trains on simulated volumes, validates on one unseen volume, and returns the filter with its provenance.</summary>
    public static Linear3DModel Train(Linear3DPlan plan, IProgress<(double Fraction, string Message)>? progress, CancellationToken cancel)
    {
        var clock = Stopwatch.StartNew();
        var spec = plan.Simulation;
        var width = LinearFilter3D.PairCount(plan.Radius) + 2;
        var bins = LinearFilter3D.Bins;
        var xtx = new double[bins][];
        var xty = new double[bins][];
        var counts = new long[bins];
        for (var b = 0; b < bins; b++)
        {
            xtx[b] = new double[width * width];
            xty[b] = new double[width];
        }

        var pairs = LinearFilter3D.PairOffsets(plan.Radius);
        var quota = Math.Max(1.0, plan.Samples / (double)(plan.Patterns * bins));
        for (var k = 0; k < plan.Patterns; k++)
        {
            cancel.ThrowIfCancellationRequested();
            var volume = VolumeSimulator.Simulate(spec, plan.PatternSeed(k));
            Accumulate(volume, pairs, plan.Radius, quota, plan.PatternSeed(k), xtx, xty, counts, cancel);
            progress?.Report((0.8 * (k + 1) / plan.Patterns, $"simulated and sampled training volume {k + 1}/{plan.Patterns} (seed {plan.PatternSeed(k)})"));
        }

        var global = new double[width * width];
        var globalT = new double[width];
        for (var b = 0; b < bins; b++)
        {
            for (var i = 0; i < global.Length; i++)
            {
                global[i] += xtx[b][i];
            }

            for (var i = 0; i < width; i++)
            {
                globalT[i] += xty[b][i];
            }
        }

        var fallback = Solve(global, globalT, width);
        var weights = new float[bins][];
        var own = 0;
        for (var b = 0; b < bins; b++)
        {
            if (counts[b] >= 20L * width)
            {
                weights[b] = Solve(xtx[b], xty[b], width);
                own++;
            }
            else
            {
                weights[b] = (float[])fallback.Clone();
            }
        }

        var filter = new LinearFilter3D(plan.Radius, weights);
        var trainSeconds = clock.Elapsed.TotalSeconds;
        progress?.Report((0.9, $"fitted {own} of {bins} level bins on {counts.Sum()} voxels; validating on an unseen volume (seed {plan.ValidationSeed})"));

        var validation = VolumeSimulator.Simulate(spec, plan.ValidationSeed);
        var denoised = filter.Apply(validation.Counts, validation.Mask, spec.Nz, spec.Ny, spec.Nx, cancel);
        var raw = LinearFilter3D.AmplitudeRmse(validation.Counts, validation.Expected, validation.Mask);
        var after = LinearFilter3D.AmplitudeRmse(denoised, validation.Expected, validation.Mask);
        var reduction = raw > 0 ? 1 - (after / raw) : 0;
        var provenance = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["created_utc"] = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture),
            ["plugin_version"] = MlModule.Version,
            ["feature_contract"] = LinearFilter3D.Contract,
            ["method"] = "least squares (normal equations, Cholesky) per level bin",
            ["dims"] = 3,
            ["radius"] = plan.Radius,
            ["simulation"] = spec.Describe(),
            ["training_seeds"] = Enumerable.Range(0, plan.Patterns).Select(plan.PatternSeed).ToList(),
            ["validation_seed"] = plan.ValidationSeed,
            ["samples"] = plan.Samples,
            ["samples_per_bin"] = counts.ToList(),
            ["bins_fitted"] = own,
            ["training_seconds"] = Math.Round(trainSeconds, 2),
            ["validation_amplitude_rmse_raw"] = Math.Round(raw, 6),
            ["validation_amplitude_rmse_denoised"] = Math.Round(after, 6),
            ["validation_rmse_reduction"] = Math.Round(reduction, 4),
        };
        progress?.Report((1, $"trained in {clock.Elapsed.TotalSeconds:F1} s; validation amplitude RMSE {raw:G4} → {after:G4} ({100 * reduction:F1} % lower)"));
        return new Linear3DModel(filter, provenance);
    }

    /// <summary>Adds the sampled voxels of one volume to the per-bin normal equations.</summary>
    private static void Accumulate(SimulatedVolume volume, (int Dz, int Dy, int Dx)[] pairs, int radius, double quota, int seed, double[][] xtx, double[][] xty, long[] counts, CancellationToken cancel)
    {
        int nz = volume.Nz, ny = volume.Ny, nx = volume.Nx;
        var grid = new PaddedVolume(volume.Counts, volume.Mask, nz, ny, nx, radius);
        var offsets = grid.Offsets(pairs);
        var bins = LinearFilter3D.Bins;
        var width = pairs.Length + 2;

        // Pass 1: the level bin of every measured voxel and the population of each bin.
        var binOf = new sbyte[volume.Counts.Length];
        var population = new long[bins];
        var parts = new long[nz][];
        Parallel.For(0, nz, z =>
        {
            var local = new long[bins];
            for (var y = 0; y < ny; y++)
            {
                var i = (((long)z * ny) + y) * nx;
                var j = grid.Index(z, y, 0);
                for (var x = 0; x < nx; x++, i++, j++)
                {
                    if ((volume.Mask[i] & (uint)MaskFlags.Unknown) != 0)
                    {
                        binOf[i] = -1;
                        continue;
                    }

                    var b = LinearFilter3D.Bin(grid.Level(j));
                    binOf[i] = (sbyte)b;
                    local[b]++;
                }
            }

            parts[z] = local;
        });
        foreach (var local in parts)
        {
            for (var b = 0; b < bins; b++)
            {
                population[b] += local[b];
            }
        }

        // Pass 2: keep each voxel with probability min(1, quota / population of its bin), in fixed chunks of slices.
        var accept = population.Select(p => p > 0 ? Math.Min(1.0, quota / p) : 0).ToArray();
        var chunkXtx = new double[Chunks][][];
        var chunkXty = new double[Chunks][][];
        var chunkCounts = new long[Chunks][];
        Parallel.For(0, Chunks, new ParallelOptions { CancellationToken = cancel }, c =>
        {
            var random = new Random((seed * 31) + c);
            var a = new double[bins][];
            var t = new double[bins][];
            var n = new long[bins];
            var row = new double[width];
            for (var z = c * nz / Chunks; z < (c + 1) * nz / Chunks; z++)
            {
                for (var y = 0; y < ny; y++)
                {
                    var i = (((long)z * ny) + y) * nx;
                    var j = grid.Index(z, y, 0);
                    for (var x = 0; x < nx; x++, i++, j++)
                    {
                        var b = binOf[i];
                        if (b < 0 || random.NextDouble() >= accept[b])
                        {
                            continue;
                        }

                        var centre = grid.KnownA[j];
                        for (var p = 0; p < offsets.Length; p++)
                        {
                            var o = offsets[p];
                            row[p] = 0.5 * (grid.KnownA[j + o] + grid.KnownA[j - o] - (centre * (grid.Known[j + o] + grid.Known[j - o])));
                        }

                        row[width - 2] = centre;
                        row[width - 1] = 1;
                        var target = (2 * Math.Sqrt(volume.Expected[i] + 0.375)) - centre;
                        var m = a[b] ??= new double[width * width];
                        var v = t[b] ??= new double[width];
                        for (var r = 0; r < width; r++)
                        {
                            var xr = row[r];
                            v[r] += xr * target;
                            var offset = r * width;
                            for (var q = r; q < width; q++)
                            {
                                m[offset + q] += xr * row[q];
                            }
                        }

                        n[b]++;
                    }
                }
            }

            chunkXtx[c] = a;
            chunkXty[c] = t;
            chunkCounts[c] = n;
        });

        for (var c = 0; c < Chunks; c++)
        {
            for (var b = 0; b < bins; b++)
            {
                counts[b] += chunkCounts[c][b];
                if (chunkXtx[c][b] is not { } m)
                {
                    continue;
                }

                for (var r = 0; r < width; r++)
                {
                    xty[b][r] += chunkXty[c][b][r];
                    for (var q = r; q < width; q++)
                    {
                        xtx[b][(r * width) + q] += m[(r * width) + q];
                        if (q != r)
                        {
                            xtx[b][(q * width) + r] += m[(r * width) + q];
                        }
                    }
                }
            }
        }
    }

    /// <summary>Solves (A + εI) w = t by Cholesky (A symmetric, positive semi-definite); ε grows until the factorisation succeeds.</summary>
    internal static float[] Solve(double[] a, double[] t, int n)
    {
        double trace = 0;
        for (var i = 0; i < n; i++)
        {
            trace += a[(i * n) + i];
        }

        if (!(trace > 0))
        {
            return new float[n];
        }

        for (var epsilon = 1e-6 * trace / n; ; epsilon *= 10)
        {
            var l = new double[n * n];
            var ok = true;
            for (var i = 0; i < n && ok; i++)
            {
                for (var j = 0; j <= i; j++)
                {
                    var sum = a[(i * n) + j] + (i == j ? epsilon : 0);
                    for (var k = 0; k < j; k++)
                    {
                        sum -= l[(i * n) + k] * l[(j * n) + k];
                    }

                    if (i == j)
                    {
                        if (!(sum > 0))
                        {
                            ok = false;
                            break;
                        }

                        l[(i * n) + i] = Math.Sqrt(sum);
                    }
                    else
                    {
                        l[(i * n) + j] = sum / l[(j * n) + j];
                    }
                }
            }

            if (!ok)
            {
                continue;
            }

            var y = new double[n];
            for (var i = 0; i < n; i++)
            {
                var sum = t[i];
                for (var k = 0; k < i; k++)
                {
                    sum -= l[(i * n) + k] * y[k];
                }

                y[i] = sum / l[(i * n) + i];
            }

            var w = new double[n];
            for (var i = n - 1; i >= 0; i--)
            {
                var sum = y[i];
                for (var k = i + 1; k < n; k++)
                {
                    sum -= l[(k * n) + i] * w[k];
                }

                w[i] = sum / l[(i * n) + i];
            }

            return w.Select(x => (float)x).ToArray();
        }
    }
}
