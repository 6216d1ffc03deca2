// Development-only defaults shared by the run command and the token minting command.
export const DEV_JWT_SECRET = process.env.JWT_SECRET || 'wellifiy-local-development-secret-not-for-production';
export const DEV_BASE_PORT = Number(process.env.WELLIFIY_PORT || 3000);
