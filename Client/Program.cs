using Galaxy.Client;

return await GalaxyCommandLine.InvokeAsync(args).ConfigureAwait(false);
