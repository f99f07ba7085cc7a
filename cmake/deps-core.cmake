# core: nothing beyond the common libraries (fmt, zlib, htslib, threads).
