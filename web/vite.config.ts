import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The SPA is served by the NestJS server from web/dist in production; in development Vite serves it and
// forwards /api to the server, so cookies stay same-origin in both cases.
const apiTarget = process.env.EVARCHIVE_API_URL ?? 'http://127.0.0.1:3000';

export default defineConfig({
  plugins: [react()],
  server: {
    host: '127.0.0.1',
    port: Number(process.env.WEB_PORT ?? 3300),
    strictPort: true,
    proxy: { '/api': { target: apiTarget, changeOrigin: false } },
  },
  preview: { host: '127.0.0.1', port: Number(process.env.WEB_PORT ?? 3301), strictPort: true },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // antd and echarts are large and change far less often than our pages: separate chunks keep them cached
    // across releases and let the login page load without echarts.
    rolldownOptions: {
      output: {
        codeSplitting: {
          // Highest priority first; a group also takes the dependencies of its modules, so react must be
          // claimed before antd or react-dom ends up inside the antd chunk.
          groups: [
            { name: 'echarts', test: /node_modules[\\/](echarts|zrender|echarts-for-react)[\\/]/, priority: 20 },
            { name: 'antd', test: /node_modules[\\/](antd|@ant-design|rc-[^\\/]+|@rc-component)[\\/]/, priority: 10 },
            { name: 'react', test: /node_modules[\\/](react|react-dom|react-router|react-router-dom|scheduler)[\\/]/, priority: 30 },
          ],
        },
      },
    },
    chunkSizeWarningLimit: 1500,
  },
});
