"""Electronic seals and signatures (电子印章与电子签名): the platform CA, seal and personal
certificates, seal images, PAdES signatures on PDFs, public verification, SM2/SM3 signatures."""
