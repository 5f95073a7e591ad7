using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Execution;
using Cxdi.Sdk.Plugins;
using Cxdi.Sdk.Roles;
using MathNet.Numerics.Statistics;
using Microsoft.Extensions.DependencyInjection;

namespace Acme.Cxdi.Sample;

/// <summary>What the filter does with an outlier.</summary>
public enum OutlierAction
{
    /// <summary>Flag it as a hot pixel (unknown to phasing): nothing is invented.</summary>
    Flag,

    /// <summary>Replace its value by the local median and keep it measured.</summary>
    Replace,
}

/// <summary>Options of <see cref="MedianFilter"/> (YAML keys: <c>radius</c>, <c>threshold</c>, <c>action</c>, <c>min_value</c>).</summary>
public sealed record MedianFilterOptions : PluginOptions
{
    /// <summary>Half-size of the square window around each pixel (window side 2r+1).</summary>
    [Description("Half-size of the median window in pixels (side 2r+1); larger windows follow the speckle less closely but are robust to clusters of hot pixels")]
    [Unit("px")]
    [Range(1, 10)]
    public int Radius { get; init; } = 1;

    /// <summary>A pixel is an outlier when it exceeds the local median by more than this many robust standard deviations.</summary>
    [Description("Outlier threshold in robust standard deviations (1.4826 × MAD of the window); lower catches more hot pixels but may clip speckle maxima")]
    [Range(1.0, 1000.0)]
    public double Threshold { get; init; } = 8;

    /// <summary>Flag outliers (default) or replace them by the local median.</summary>
    [Description("flag: mark outliers as hot pixels (unknown to phasing); replace: set them to the local median")]
    public OutlierAction Action { get; init; } = OutlierAction.Flag;

    /// <summary>Pixels at or below this value are never outliers (background, photon-counting zeros).</summary>
    [Description("Only pixels above this value can be outliers (photons); avoids flagging single photons on a dark background")]
    [Unit("photons")]
    [Range(0.0, double.MaxValue)]
    public double MinValue { get; init; } = 1;
}

/// <summary>
/// Finds isolated hot pixels by comparing each measured pixel with the median of its measured neighbours (frame by frame
/// for 3D data) and flags or replaces them. Masked (unknown) pixels are never used as neighbours nor changed.
/// </summary>
[CxdiPlugin("acme.median-filter", "1.0.0", Description = "Flags or replaces isolated hot pixels by a local median test (Acme sample plugin)")]
public sealed class MedianFilter : PreprocessorBase<MedianFilterOptions>
{
    /// <inheritdoc />
    protected override DiffractionData Apply(DiffractionData input, MedianFilterOptions options, StepContext context)
    {
        var output = input.Clone();
        var shape = input.Shape;
        var r = options.Radius;
        var window = new double[(2 * r + 1) * (2 * r + 1)];
        var deviations = new double[window.Length];
        long changed = 0;
        for (var z = 0; z < shape.Nz; z++)
        {
            for (var y = 0; y < shape.Ny; y++)
            {
                context.Cancellation.ThrowIfCancellationRequested();
                for (var x = 0; x < shape.Nx; x++)
                {
                    var index = ((long)z * shape.Ny + y) * shape.Nx + x;
                    var value = input.Intensity[index];
                    if (!input.IsMeasured(index) || value <= options.MinValue)
                    {
                        continue;
                    }

                    var n = 0;
                    for (var yy = Math.Max(0, y - r); yy <= Math.Min(shape.Ny - 1, y + r); yy++)
                    {
                        for (var xx = Math.Max(0, x - r); xx <= Math.Min(shape.Nx - 1, x + r); xx++)
                        {
                            var j = ((long)z * shape.Ny + yy) * shape.Nx + xx;
                            if (j != index && input.IsMeasured(j))
                            {
                                window[n++] = input.Intensity[j];
                            }
                        }
                    }

                    if (n < 3)
                    {
                        continue;
                    }

                    var neighbours = window.AsSpan(0, n).ToArray();
                    var median = ArrayStatistics.MedianInplace(neighbours);
                    for (var k = 0; k < n; k++)
                    {
                        deviations[k] = Math.Abs(window[k] - median);
                    }

                    var mad = ArrayStatistics.MedianInplace(deviations.AsSpan(0, n).ToArray());

                    // Poisson floor: with few photons the MAD can be 0; never call a pixel an outlier inside its shot noise.
                    var sigma = Math.Max(1.4826 * mad, Math.Sqrt(Math.Max(median, 1)));
                    if (value - median > options.Threshold * sigma)
                    {
                        changed++;
                        if (options.Action == OutlierAction.Flag)
                        {
                            output.Mask[index] |= (uint)MaskFlags.Hot;
                        }
                        else
                        {
                            output.Intensity[index] = (float)median;
                        }
                    }
                }
            }

            context.Progress.Report(new ProgressReport(context.StepId, $"frame {z + 1}/{shape.Nz}: {changed} outliers so far") { Fraction = (z + 1.0) / shape.Nz });
        }

        output.Metadata["acme.median-filter.outliers"] = changed;
        return output;
    }
}

/// <summary>Registers the Acme plugins with the host.</summary>
public sealed class AcmeModule : ICxdiPluginModule
{
    /// <inheritdoc />
    public void Configure(IServiceCollection services) => services.AddCxdiPlugin<MedianFilter>();
}
