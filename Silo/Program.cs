using Galaxy.Silo;

return await SiloCommandLine.RunAsync(args).ConfigureAwait(false);
