using System.Runtime.InteropServices;
using Cxdi.Sdk.Data;

namespace Cxdi.Plugins.Phasing.Fft;

internal enum FftPreference
{
    Auto,
    Fftw,
    Managed,
}

internal static class FftEngines
{
    private static readonly object Planner = new();
    private static bool threadsReady;

    public static string Describe() => "temporary FFTW";

    public static IFftEngine Create(Shape shape, int threads, FftPreference pref)
    {
        lock (Planner)
        {
            if (!threadsReady)
            {
                _ = fftwf_init_threads();
                threadsReady = true;
            }

            fftwf_plan_with_nthreads(threads);
            return new TempFftw(shape, threads);
        }
    }

    private sealed unsafe class TempFftw : IFftEngine
    {
        private readonly nint forward;
        private readonly nint inverse;
        private readonly Complex32* scratch;

        public TempFftw(Shape shape, int threads)
        {
            Shape = shape;
            Threads = threads;
            scratch = (Complex32*)NativeMemory.AlignedAlloc((nuint)(shape.Length * 8), 64);
            forward = shape.Rank == 2 ? fftwf_plan_dft_2d(shape.Ny, shape.Nx, scratch, scratch, -1, 64) : fftwf_plan_dft_3d(shape.Nz, shape.Ny, shape.Nx, scratch, scratch, -1, 64);
            inverse = shape.Rank == 2 ? fftwf_plan_dft_2d(shape.Ny, shape.Nx, scratch, scratch, 1, 64) : fftwf_plan_dft_3d(shape.Nz, shape.Ny, shape.Nx, scratch, scratch, 1, 64);
        }

        public Shape Shape { get; }

        public string Name => "FFTW temp";

        public int Threads { get; }

        public void Forward(Span<Complex32> data) => Run(forward, data, 1f);

        public void Inverse(Span<Complex32> data) => Run(inverse, data, 1f / Shape.Length);

        public void Dispose()
        {
            lock (Planner)
            {
                fftwf_destroy_plan(forward);
                fftwf_destroy_plan(inverse);
            }

            NativeMemory.AlignedFree(scratch);
        }

        private void Run(nint plan, Span<Complex32> data, float scale)
        {
            fixed (Complex32* p = data)
            {
                if (((nint)p & 63) == 0)
                {
                    fftwf_execute_dft(plan, p, p);
                }
                else
                {
                    data.CopyTo(new Span<Complex32>(scratch, data.Length));
                    fftwf_execute_dft(plan, scratch, scratch);
                    new Span<Complex32>(scratch, data.Length).CopyTo(data);
                }
            }

            if (scale != 1f)
            {
                var f = MemoryMarshal.Cast<Complex32, float>(data);
                for (var i = 0; i < f.Length; i++)
                {
                    f[i] *= scale;
                }
            }
        }
    }

    [DllImport("libfftw3f.so.3")]
    private static extern unsafe nint fftwf_plan_dft_2d(int n0, int n1, Complex32* i, Complex32* o, int sign, uint flags);

    [DllImport("libfftw3f.so.3")]
    private static extern unsafe nint fftwf_plan_dft_3d(int n0, int n1, int n2, Complex32* i, Complex32* o, int sign, uint flags);

    [DllImport("libfftw3f.so.3")]
    private static extern unsafe void fftwf_execute_dft(nint p, Complex32* i, Complex32* o);

    [DllImport("libfftw3f.so.3")]
    private static extern void fftwf_destroy_plan(nint p);

    [DllImport("libfftw3f_threads.so.3")]
    private static extern int fftwf_init_threads();

    [DllImport("libfftw3f_threads.so.3")]
    private static extern void fftwf_plan_with_nthreads(int n);
}
