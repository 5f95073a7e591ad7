using BenchmarkDotNet.Running;

// BenchmarkDotNet entry point: dotnet run -c Release --project bench/Cxdi.Bench -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Cxdi.Bench.FftPairBenchmarks).Assembly).Run(args);
