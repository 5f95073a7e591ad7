using System.Runtime.InteropServices;
using Cxdi.Sdk.Data;

namespace Cxdi.Plugins.Phasing.Fft;

/// <summary>
/// P/Invoke declarations for single-precision FFTW 3 (<c>libfftw3f.so.3</c>) and its threads library
/// (<c>libfftw3f_threads.so.3</c>). Callers must check <see cref="FftwEngine.IsAvailable"/> first; every planner call
/// (planning, thread setup, wisdom) must hold <see cref="FftwEngine"/>'s planner lock because FFTW's planner is not
/// thread-safe, while <see cref="ExecuteDft"/> may run concurrently on different arrays.
/// </summary>
internal static unsafe partial class FftwNative
{
    /// <summary>Shared library holding the single-precision API.</summary>
    public const string Library = "libfftw3f.so.3";

    /// <summary>Shared library holding the threaded planner entry points.</summary>
    public const string ThreadsLibrary = "libfftw3f_threads.so.3";

    /// <summary>FFTW_FORWARD: exp(−2πi jk/n).</summary>
    public const int Forward = -1;

    /// <summary>FFTW_BACKWARD: exp(+2πi jk/n), unscaled.</summary>
    public const int Backward = 1;

    /// <summary>FFTW_MEASURE: time several algorithms (seconds per shape, cached as wisdom).</summary>
    public const uint Measure = 0;

    /// <summary>FFTW_UNALIGNED: the plan may be executed on arrays of any alignment (no aligned-load SIMD codelets).</summary>
    public const uint Unaligned = 1u << 1;

    /// <summary>FFTW_ESTIMATE: pick an algorithm by heuristics, instantly, without touching the arrays.</summary>
    public const uint Estimate = 1u << 6;

    [LibraryImport(Library, EntryPoint = "fftwf_plan_dft_2d")]
    public static partial nint PlanDft2d(int n0, int n1, Complex32* input, Complex32* output, int sign, uint flags);

    [LibraryImport(Library, EntryPoint = "fftwf_plan_dft_3d")]
    public static partial nint PlanDft3d(int n0, int n1, int n2, Complex32* input, Complex32* output, int sign, uint flags);

    [LibraryImport(Library, EntryPoint = "fftwf_execute_dft")]
    public static partial void ExecuteDft(nint plan, Complex32* input, Complex32* output);

    [LibraryImport(Library, EntryPoint = "fftwf_destroy_plan")]
    public static partial void DestroyPlan(nint plan);

    [LibraryImport(Library, EntryPoint = "fftwf_alignment_of")]
    public static partial int AlignmentOf(float* p);

    [LibraryImport(Library, EntryPoint = "fftwf_import_wisdom_from_filename", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int ImportWisdomFromFilename(string path);

    [LibraryImport(Library, EntryPoint = "fftwf_export_wisdom_to_filename", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int ExportWisdomToFilename(string path);

    [LibraryImport(ThreadsLibrary, EntryPoint = "fftwf_init_threads")]
    public static partial int InitThreads();

    [LibraryImport(ThreadsLibrary, EntryPoint = "fftwf_plan_with_nthreads")]
    public static partial void PlanWithNThreads(int threads);
}
