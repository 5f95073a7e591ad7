using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Cxdi.Plugins.Preprocessing.Common;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Execution;
using Cxdi.Sdk.Plugins;
using Cxdi.Sdk.Roles;

namespace Cxdi.Plugins.Preprocessing.Masks;

/// <summary>Options of <see cref="HotPixelMaskStep"/>.</summary>
public sealed record HotPixelMaskOptions : PluginOptions
{
    /// <summary>Side of the square neighbourhood for the local median.</summary>
    [Description("Side of the square neighbourhood (odd) whose median (centre excluded, unknown pixels ignored) is the reference. Larger is more robust next to sharp fringes but slower.")]
    [Unit("px")]
    [Range(3, 31)]
    public int Window { get; init; } = 5;

    /// <summary>Ratio to the local median above which a pixel is hot.</summary>
    [Description("A pixel is hot when it exceeds this many times its local median. Speckle is ~exponentially distributed, so keep it well above 5.")]
    [Range(1.0, 1e9)]
    public double Factor { get; init; } = 10;

    /// <summary>Minimum excess over the median, in counts.</summary>
    [Description("…and exceeds the median by at least this many counts (so single photons in a dark region are not called hot).")]
    [Unit("photons")]
    [Range(0.0, 1e12)]
    public double MinExcess { get; init; } = 20;

    /// <inheritdoc />
    public override IEnumerable<OptionProblem> Validate()
    {
        if (Window % 2 == 0)
        {
            yield return new OptionProblem(nameof(Window), $"window must be odd (e.g. {Window + 1})");
        }
    }
}

/// <summary>Flags isolated outliers against the median of their neighbourhood as <see cref="MaskFlags.Hot"/>, frame by frame.</summary>
[CxdiPlugin("cxdi.mask.hot", "1.0.0", Description = "Flag hot pixels: outliers far above the median of their neighbourhood.")]
public sealed class HotPixelMaskStep : PreprocessorBase<HotPixelMaskOptions>
{
    /// <inheritdoc />
    protected override DiffractionData Apply(DiffractionData input, HotPixelMaskOptions options, StepContext context)
    {
        var shape = input.Shape;
        int ny = shape.Ny, nx = shape.Nx, h = options.Window / 2;
        long found = 0;
        for (var z = 0; z < shape.Nz; z++)
        {
            var off = (long)z * ny * nx;
            var hot = new List<long>();
            var sync = new object();
            Parallel.For(0, ny, new ParallelOptions { CancellationToken = context.Cancellation }, () => new List<float>(options.Window * options.Window), (y, _, buffer) =>
            {
                for (var x = 0; x < nx; x++)
                {
                    var i = off + ((long)y * nx) + x;
                    if ((input.Mask[i] & Pixels.Unknown) != 0)
                    {
                        continue;
                    }

                    buffer.Clear();
                    for (var yy = Math.Max(0, y - h); yy <= Math.Min(ny - 1, y + h); yy++)
                    {
                        for (var xx = Math.Max(0, x - h); xx <= Math.Min(nx - 1, x + h); xx++)
                        {
                            var j = off + ((long)yy * nx) + xx;
                            if (j != i && (input.Mask[j] & Pixels.Unknown) == 0)
                            {
                                buffer.Add(input.Intensity[j]);
                            }
                        }
                    }

                    if (buffer.Count < 3)
                    {
                        continue;
                    }

                    buffer.Sort();
                    var n = buffer.Count;
                    double median = n % 2 == 1 ? buffer[n / 2] : 0.5 * (buffer[(n / 2) - 1] + buffer[n / 2]);
                    double v = input.Intensity[i];
                    if (v > options.Factor * median && v - median >= options.MinExcess)
                    {
                        lock (sync)
                        {
                            hot.Add(i);
                        }
                    }
                }

                return buffer;
            }, _ => { });
            foreach (var i in hot)
            {
                input.Mask[i] |= (uint)MaskFlags.Hot;
            }

            found += hot.Count;
        }

        StepLog.Record(input, context, StepLog.IdOf(GetType()), $"{found} hot pixels above {StepLog.F(options.Factor)}× their {options.Window}×{options.Window} median flagged", new Dictionary<string, object> { ["hot_pixels"] = found });
        return input;
    }
}
