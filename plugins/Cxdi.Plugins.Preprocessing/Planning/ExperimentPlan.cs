namespace Cxdi.Plugins.Preprocessing.Planning;

/// <summary>
/// Forward-geometry CXDI sampling arithmetic (SI units). With wavelength λ, distance D, pixel p, N pixels across and a
/// sample of size S: the oversampling ratio is σ = λD/(pS); the largest sample at σ = 3 is S_max = λD/(3p); the
/// half-period resolution (object-space pixel) is Δr = λD/(Np) = σS/N (= 3·S_max/N); the depth of field is
/// DOF = 2Δr²/λ; the speckle size on the detector is λD/S (= σ pixels). A brilliance gain G at a flux-limited
/// resolution improves it by G^¼ (the scattered signal per resolution element falls as Δr⁴).
/// These reproduce Chushkin &amp; Zontone (IUCrJ 2025, Fig. 3): 8 keV, 30 m, 75 µm, 2048 px → S_max 20.7 µm, Δr 30 nm, DOF 11.8 µm.
/// </summary>
/// <param name="Wavelength">λ in metres.</param>
/// <param name="Distance">Sample–detector distance D in metres.</param>
/// <param name="PixelSize">Detector pixel p in metres.</param>
/// <param name="Pixels">Pixels across the detector (or the cropped array), N.</param>
/// <param name="SampleSize">Sample size S in metres, when known.</param>
/// <param name="BrillianceGain">Brilliance gain G of a new source, when asked.</param>
public sealed record ExperimentPlan(double Wavelength, double Distance, double PixelSize, int Pixels, double? SampleSize = null, double? BrillianceGain = null)
{
    /// <summary>Oversampling ratio the plan aims at for the largest sample.</summary>
    public const double TargetOversampling = 3;

    /// <summary>Photon energy in eV.</summary>
    public double EnergyEv => Units.HcEvMetre / Wavelength;

    /// <summary>Largest sample (m) sampled at σ = 3: λD/(3p).</summary>
    public double MaxSampleSize => Wavelength * Distance / (TargetOversampling * PixelSize);

    /// <summary>Half-period resolution, the object-space pixel (m): λD/(Np).</summary>
    public double Resolution => Wavelength * Distance / (Pixels * PixelSize);

    /// <summary>Depth of field (m): 2Δr²/λ; thicker samples break the projection approximation at this resolution.</summary>
    public double DepthOfField => 2 * Resolution * Resolution / Wavelength;

    /// <summary>Scattering angle 2θ (rad) at the detector edge, N/2 pixels from the beam.</summary>
    public double EdgeAngle => Math.Atan(Pixels * PixelSize / 2 / Distance);

    /// <summary>Oversampling ratio σ = λD/(pS) of the given sample; null without a sample size.</summary>
    public double? Oversampling => SampleSize is { } s ? Wavelength * Distance / (PixelSize * s) : null;

    /// <summary>Speckle size on the detector (m): λD/S; null without a sample size.</summary>
    public double? SpeckleSize => SampleSize is { } s ? Wavelength * Distance / s : null;

    /// <summary>True when the given sample is thicker (taken as its size) than the depth of field; null without a sample size.</summary>
    public bool? ThickerThanDepthOfField => SampleSize is { } s ? s > DepthOfField : null;

    /// <summary>Resolution improvement factor G^¼ for the brilliance gain; null without a gain.</summary>
    public double? ResolutionGain => BrillianceGain is { } g ? Math.Pow(g, 0.25) : null;

    /// <summary>Flux-limited resolution after the gain (m): Δr / G^¼; null without a gain.</summary>
    public double? ResolutionAfterGain => ResolutionGain is { } f ? Resolution / f : null;

    /// <summary>The plan's numbers keyed for JSON and findings (SI units, names say the unit).</summary>
    public Dictionary<string, object> ToDictionary()
    {
        var d = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["energy_ev"] = EnergyEv,
            ["wavelength_m"] = Wavelength,
            ["distance_m"] = Distance,
            ["pixel_size_m"] = PixelSize,
            ["pixels"] = Pixels,
            ["max_sample_size_m"] = MaxSampleSize,
            ["resolution_m"] = Resolution,
            ["depth_of_field_m"] = DepthOfField,
            ["edge_angle_rad"] = EdgeAngle,
        };
        if (SampleSize is { } s)
        {
            d["sample_size_m"] = s;
            d["oversampling"] = Oversampling!.Value;
            d["speckle_size_m"] = SpeckleSize!.Value;
            d["speckle_size_px"] = SpeckleSize!.Value / PixelSize;
            d["thicker_than_depth_of_field"] = ThickerThanDepthOfField!.Value;
        }

        if (BrillianceGain is { } g)
        {
            d["brilliance_gain"] = g;
            d["resolution_gain"] = ResolutionGain!.Value;
            d["resolution_after_gain_m"] = ResolutionAfterGain!.Value;
        }

        return d;
    }

    /// <summary>A human-readable table, one quantity per line.</summary>
    public string ToTable()
    {
        var rows = new List<(string Name, string Value, string Note)>
        {
            ("photon energy", $"{F(EnergyEv / 1e3)} keV", $"λ = {F(Wavelength * 1e10)} Å"),
            ("distance / pixel", $"{F(Distance)} m / {F(PixelSize * 1e6)} µm", $"{Pixels} pixels, edge at 2θ = {F(EdgeAngle * 180 / Math.PI)}°"),
            ("largest sample", $"{F(MaxSampleSize * 1e6)} µm", "at oversampling σ = 3 (λD/3p)"),
            ("resolution Δr", $"{F(Resolution * 1e9)} nm", "half period, object pixel λD/(Np)"),
            ("depth of field", $"{F(DepthOfField * 1e6)} µm", "2Δr²/λ: thicker samples need 3D/multislice"),
        };
        if (SampleSize is { } s)
        {
            rows.Add(("sample", $"{F(s * 1e6)} µm", $"oversampling σ = {F(Oversampling!.Value)}{(Oversampling < 2 ? " — too small: undersampled" : Oversampling < 3 ? " — below 3: marginal" : "")}"));
            rows.Add(("speckle size", $"{F(SpeckleSize!.Value * 1e6)} µm", $"{F(SpeckleSize!.Value / PixelSize)} px on the detector (λD/S)"));
            rows.Add(("thickness vs DOF", ThickerThanDepthOfField!.Value ? "thicker" : "thinner", ThickerThanDepthOfField!.Value
                ? $"the sample exceeds the {F(DepthOfField * 1e6)} µm depth of field: the 2D projection approximation fails at Δr"
                : "the projection approximation holds at Δr"));
        }

        if (BrillianceGain is { } g)
        {
            rows.Add(("brilliance gain", $"{F(g)}×", $"resolution {F(ResolutionGain!.Value)}× finer (G^¼): Δr ≈ {F(ResolutionAfterGain!.Value * 1e9)} nm if flux-limited"));
        }

        var w0 = rows.Max(r => r.Name.Length);
        var w1 = rows.Max(r => r.Value.Length);
        return string.Join(Environment.NewLine, rows.Select(r => $"{r.Name.PadRight(w0)}  {r.Value.PadRight(w1)}  {r.Note}")) + Environment.NewLine;
    }

    private static string F(double v) => v.ToString("G4", System.Globalization.CultureInfo.InvariantCulture);
}
