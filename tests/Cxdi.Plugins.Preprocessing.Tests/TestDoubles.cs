using Cxdi.Plugins.Formats.Edf;
using Cxdi.Sdk.Compute;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Errors;
using Cxdi.Sdk.Execution;
using Cxdi.Sdk.Plugins;
using Cxdi.Sdk.Roles;

namespace Cxdi.Plugins.Preprocessing.Tests;

/// <summary>
/// Test-only compute backend: a separable FFT (iterative radix-2 for power-of-two axes, a direct DFT in double precision
/// otherwise), matching the SDK's conventions (forward unscaled, inverse scaled by 1/N).
/// </summary>
internal sealed class TestFftBackend : IComputeBackend
{
    public string Name => "test/dft";

    public string FftName => "test radix-2 / direct DFT";

    public void Transform(Span<Complex32> data, Shape shape, FftDirection direction)
    {
        var n = new[] { shape.Nz, shape.Ny, shape.Nx };
        var stride = new[] { shape.Ny * shape.Nx, shape.Nx, 1 };
        var sign = direction == FftDirection.Forward ? -1.0 : 1.0;
        for (var axis = 0; axis < 3; axis++)
        {
            var len = n[axis];
            if (len == 1)
            {
                continue;
            }

            var line = new System.Numerics.Complex[len];
            var lines = data.Length / len;
            for (var l = 0; l < lines; l++)
            {
                // Base index of line l: enumerate all indices whose coordinate along axis is 0.
                var outer = l / stride[axis];
                var inner = l % stride[axis];
                var start = (outer * stride[axis] * len) + inner;
                for (var k = 0; k < len; k++)
                {
                    var v = data[start + (k * stride[axis])];
                    line[k] = new System.Numerics.Complex(v.Re, v.Im);
                }

                Transform1D(line, sign);
                for (var k = 0; k < len; k++)
                {
                    var v = line[k];
                    if (direction == FftDirection.Inverse)
                    {
                        v /= len;
                    }

                    data[start + (k * stride[axis])] = new Complex32((float)v.Real, (float)v.Imaginary);
                }
            }
        }
    }

    private static void Transform1D(System.Numerics.Complex[] a, double sign)
    {
        var n = a.Length;
        if ((n & (n - 1)) != 0)
        {
            var result = new System.Numerics.Complex[n];
            for (var k = 0; k < n; k++)
            {
                var s = System.Numerics.Complex.Zero;
                for (var j = 0; j < n; j++)
                {
                    var phase = sign * 2 * Math.PI * ((long)j * k % n) / n;
                    s += a[j] * new System.Numerics.Complex(Math.Cos(phase), Math.Sin(phase));
                }

                result[k] = s;
            }

            Array.Copy(result, a, n);
            return;
        }

        for (int i = 1, j = 0; i < n; i++)
        {
            var bit = n >> 1;
            for (; (j & bit) != 0; bit >>= 1)
            {
                j ^= bit;
            }

            j ^= bit;
            if (i < j)
            {
                (a[i], a[j]) = (a[j], a[i]);
            }
        }

        for (var len = 2; len <= n; len <<= 1)
        {
            var angle = sign * 2 * Math.PI / len;
            var wl = new System.Numerics.Complex(Math.Cos(angle), Math.Sin(angle));
            for (var i = 0; i < n; i += len)
            {
                var w = System.Numerics.Complex.One;
                for (var j = 0; j < len / 2; j++)
                {
                    var u = a[i + j];
                    var v = a[i + j + (len / 2)] * w;
                    a[i + j] = u + v;
                    a[i + j + (len / 2)] = u - v;
                    w *= wl;
                }
            }
        }
    }

    public void Dispose()
    {
    }
}

/// <summary>Test-only resolver: the test FFT backend and a fixed set of readers by id.</summary>
internal sealed class TestResolver(IReadOnlyDictionary<string, IDataReader>? readers = null) : IPluginResolver
{
    public (T Plugin, PluginOptions Options) Resolve<T>(string id, IReadOnlyDictionary<string, object?>? options = null)
        where T : class, IPlugin
    {
        if (readers is not null && readers.TryGetValue(id, out var reader) && reader is T plugin)
        {
            return (plugin, (PluginOptions)Activator.CreateInstance(reader.OptionsType)!);
        }

        throw new PluginNotFoundException(id, $"no plugin '{id}' in this test");
    }

    public IComputeBackend CreateBackend(string? id = null) => new TestFftBackend();

    public static StepContext Context(IReadOnlyDictionary<string, IDataReader>? readers = null) => new() { Plugins = new TestResolver(readers) };
}

/// <summary>A reader returning a fixed in-memory array, whatever the path.</summary>
internal sealed class MemoryReader(DiffractionData data) : DataReaderBase<NoOptions>
{
    public List<string> Paths { get; } = [];

    public override bool CanRead(string path, ReadOnlySpan<byte> head) => true;

    protected override DataSpec Probe(DataPath source, NoOptions options) => data.Spec;

    protected override DiffractionData Read(DataPath source, NoOptions options, StepContext context)
    {
        Paths.Add(source.ToString());
        return data.Clone();
    }
}

/// <summary>The measured ESRF-logo pattern from the shared data directory (found by walking up from the test's base directory).</summary>
internal static class LogoData
{
    public static string Directory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "data", "esrf-logo-id10");
            if (System.IO.Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("shared/data/esrf-logo-id10 not found above " + AppContext.BaseDirectory);
    }

    public static DiffractionData Read()
    {
        var path = Path.Combine(Directory(), "logo5mu_20sec.edf");
        return new EdfReader().Read(new DataPath(path), new EdfOptions(), StepContext.None);
    }
}
