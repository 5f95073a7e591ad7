Console.WriteLine("cxdi");
