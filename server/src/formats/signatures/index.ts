export { verifyOfdSignatures, readOfdSeals, type OfdSealPlacement, type OfdSignatureOptions, type OfdSignatureResult, type OfdSignatureDetail, type StampAnnot } from './ofd';
export { verifyCms, isCmsSignedData, cmsToReport, type CmsVerifyOptions, type CmsVerification, type CmsSignerResult } from './cms';
export { documentVerdict, classifyReport, UNSUPPORTED, type VerdictOptions } from './verdict';
export { sealOfdPackage, type SealOfdOptions } from './sign';
