# Extra libraries that individual stages link against. Each stage adds its own lines here.
