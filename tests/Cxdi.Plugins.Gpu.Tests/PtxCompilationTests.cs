using System.Reflection;
using Cxdi.Plugins.Gpu.Kernels;
using Cxdi.Plugins.Phasing.Operators;
using ILGPU;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;

namespace Cxdi.Plugins.Gpu.Tests;

/// <summary>Every GPU kernel compiles to PTX for sm_80 (A100) and sm_90 (H100) without a GPU.</summary>
public sealed class PtxCompilationTests
{
    /// <summary>Every kernel: the non-generic ones and the generic update kernel closed over each built-in rule.</summary>
    public static TheoryData<string> Kernels()
    {
        var data = new TheoryData<string>();
        foreach (var name in AllKernels().Select(k => k.Name))
        {
            data.Add(name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Kernels))]
    public void Kernel_CompilesToPtx_ForSm80AndSm90(string name)
    {
        var method = AllKernels().Single(k => k.Name == name).Method;
        using var context = Context.Create(builder => builder.Cuda().Optimize(OptimizationLevel.O2));
        foreach (var (architecture, isa) in new[] { (CudaArchitecture.SM_80, CudaInstructionSet.ISA_70), (CudaArchitecture.SM_90, CudaInstructionSet.ISA_83) })
        {
            using var backend = new PTXBackend(context, architecture, isa, null!);
            var compiled = (PTXCompiledKernel)backend.Compile(EntryPointDescription.FromImplicitlyGroupedKernel(method), KernelSpecialization.Empty);
            Assert.Contains(".entry", compiled.PTXAssembly, StringComparison.Ordinal);
            Assert.Contains(".target sm_", compiled.PTXAssembly, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void ProjectionKernel_UsesCorrectlyRoundedSquareRoot_AndDoubleAtomics()
    {
        using var context = Context.Create(builder => builder.Cuda().Optimize(OptimizationLevel.O2));
        using var backend = new PTXBackend(context, CudaArchitecture.SM_90, CudaInstructionSet.ISA_83, null!);
        var method = typeof(GpuKernels).GetMethod(nameof(GpuKernels.ProjectModulus))!;
        var ptx = ((PTXCompiledKernel)backend.Compile(EntryPointDescription.FromImplicitlyGroupedKernel(method), KernelSpecialization.Empty)).PTXAssembly;

        // Parity with the CPU needs an exactly rounded sqrt, and the metrics are summed in double on the device.
        Assert.Contains("sqrt.rn.f32", ptx, StringComparison.Ordinal);
        Assert.Contains("add.global.f64", ptx, StringComparison.Ordinal); // red.add.global.f64: a native double atomic (sm_60+)
    }

    private static IEnumerable<(string Name, MethodInfo Method)> AllKernels()
    {
        foreach (var m in typeof(GpuKernels).GetMethods(BindingFlags.Public | BindingFlags.Static).Where(m => m.GetParameters().FirstOrDefault()?.ParameterType == typeof(Index1D)))
        {
            if (!m.IsGenericMethodDefinition)
            {
                yield return (m.Name, m);
                continue;
            }

            foreach (var rule in new[] { typeof(ErRule), typeof(HioRule), typeof(RaarRule), typeof(DmRule), typeof(CfRule) })
            {
                yield return ($"{m.Name}<{rule.Name}>", m.MakeGenericMethod(rule));
            }
        }
    }
}

/// <summary>The device layout the rule bytes are packed in is the one the compiled kernel reads.</summary>
public sealed class RuleLayoutTests
{
    [Theory]
    [InlineData(typeof(HioRule))]
    [InlineData(typeof(RaarRule))]
    [InlineData(typeof(ErRule))]
    [InlineData(typeof(DmRule))]
    public void DeviceLayout_MatchesTheFieldOffsetsThePtxReads(Type rule)
    {
        var offsets = Cxdi.Plugins.Gpu.Backends.RuleLayout.Offsets(rule)!;
        using var context = Context.Create(builder => builder.Cuda().Optimize(OptimizationLevel.O2));
        using var backend = new PTXBackend(context, CudaArchitecture.SM_90, CudaInstructionSet.ISA_83, null!);
        var method = typeof(GpuKernels).GetMethod(nameof(GpuKernels.UpdateRule))!.MakeGenericMethod(rule);
        var ptx = ((PTXCompiledKernel)backend.Compile(EntryPointDescription.FromImplicitlyGroupedKernel(method), KernelSpecialization.Empty)).PTXAssembly;
        // Loads from the rule: scalar ones, and pairs of 4-byte fields read as one v2.b32 (the Complex32 loads are v2.f32, the support b8).
        var scalarLoads = ptx.Split('\n').Where(l => l.Contains("ld.global.", StringComparison.Ordinal) && !l.Contains(".v2.f32", StringComparison.Ordinal) && !l.Contains("global.b8", StringComparison.Ordinal)).ToList();
        var read = new HashSet<int>();
        foreach (var line in scalarLoads)
        {
            var m = System.Text.RegularExpressions.Regex.Match(line, @"\[%rd\d+(\+(\d+))?\]");
            if (!m.Success)
            {
                continue;
            }

            var offset = m.Groups[2].Success ? int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;
            read.Add(offset);
            if (line.Contains(".v2.b32", StringComparison.Ordinal))
            {
                read.Add(offset + 4);
            }
            else if (line.Contains(".v2.b8", StringComparison.Ordinal))
            {
                read.Add(offset + 1);
            }
        }

        Assert.True(offsets.Order().SequenceEqual(read.Order()), $"packed at {string.Join(",", offsets)}, read at {string.Join(",", read.Order())}: {string.Join(" | ", ptx.Split((char)10).Where(l => l.Contains("ld.", StringComparison.Ordinal)))}");
        Assert.Equal(1, Cxdi.Plugins.Gpu.Backends.RuleLayout.Device(new HioRule(0.9f, true, false))![4]);
    }
}
